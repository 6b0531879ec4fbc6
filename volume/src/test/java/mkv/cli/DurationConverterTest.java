package mkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "1s, PT1S",
    "1.5s, PT1.5S",
    "1m30s, PT1M30S",
    "2h45m, PT2H45M",
    "0, PT0S",
    "250us, PT0.00025S",
    "10µs, PT0.00001S",
    "1.s, PT1S",
    ".5m, PT30S",
    "1h1m1s1ms1us1ns, PT1H1M1.001001001S"
  })
  void readsWhatGoReads(String text, String iso) {
    assertEquals(Duration.parse(iso), converter.convert(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "s", "1x", "-1s", "1s-", "1 s", "1.5", "ms", "9999999999999h"})
  void refusesTheRest(String text) {
    assertThrows(TypeConversionException.class, () -> converter.convert(text));
  }
}
