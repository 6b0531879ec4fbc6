package mkv.bench;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads sizes such as {@code 4096}, {@code 1KiB}, {@code 256MiB}, {@code 1GiB} (also {@code k},
 * {@code m}, {@code g}).
 */
final class SizeConverter implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
    long unit = 1;
    if (v.endsWith("k")) {
      unit = 1L << 10;
    } else if (v.endsWith("m")) {
      unit = 1L << 20;
    } else if (v.endsWith("g")) {
      unit = 1L << 30;
    }
    try {
      long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1));
      if (n > 0) {
        return Math.multiplyExact(n, unit);
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // answered below
    }
    throw new TypeConversionException("'" + value + "' is not a size such as 4096, 1KiB or 256MiB");
  }
}
