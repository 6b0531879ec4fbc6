package mkv.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations as Go's {@code time.ParseDuration} does: {@code 500ms}, {@code 1.5s}, {@code
 * 1m30s}, {@code 2h45m}, units ns, us (or µs), ms, s, m, h; a bare {@code 0} is zero. Negative ones
 * are refused: no flag wants one.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern WHOLE =
      Pattern.compile("((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+");
  private static final Pattern PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
  private static final Map<String, BigDecimal> NANOS =
      Map.of(
          "ns",
          BigDecimal.ONE,
          "us",
          BigDecimal.valueOf(1_000L),
          "µs",
          BigDecimal.valueOf(1_000L),
          "ms",
          BigDecimal.valueOf(1_000_000L),
          "s",
          BigDecimal.valueOf(1_000_000_000L),
          "m",
          BigDecimal.valueOf(60_000_000_000L),
          "h",
          BigDecimal.valueOf(3_600_000_000_000L));

  @Override
  public Duration convert(String value) {
    String v = value.trim();
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    if (!WHOLE.matcher(v).matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration such as 500ms, 1.5s, 1m30s or 2h");
    }
    BigDecimal nanos = BigDecimal.ZERO;
    for (Matcher m = PART.matcher(v); m.find(); ) {
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(NANOS.get(m.group(2))));
    }
    try {
      return Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.DOWN).longValueExact());
    } catch (ArithmeticException e) {
      throw new TypeConversionException("'" + value + "' is too long a duration");
    }
  }
}
