package mkv.tools.top;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Lays one {@code /_status} snapshot out as a screen of text: a header, the master, a volume a
 * line.
 */
final class Screen {
  private static final double MIB = 1024 * 1024;
  private static final double GIB = MIB * 1024;
  private static final int ERRORS_SHOWN = 5;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final String ROW = "%-22s %-9s %8s %9s %9s %7s  %-26s %s%n";

  private Screen() {}

  static String render(String master, JsonNode s) {
    StringBuilder out = new StringBuilder();
    if (s.has("unreachable")) {
      return out.append("mkv top: ")
          .append(master)
          .append(": the master did not answer: ")
          .append(s.get("unreachable").asText())
          .append('\n')
          .toString();
    }
    JsonNode m = s.path("master");
    out.append(
        f(
            "mkv top  %s  %s  %s%n",
            master, clock(s.path("time").asText()), m.path("readiness").asText()));
    JsonNode r = m.path("records");
    out.append(
        f(
            "records: %s live, %s pending, %s unlinked, %s deleting   rebalance: %s%n%n",
            count(r.path("live")),
            count(r.path("pending")),
            count(r.path("unlinked")),
            count(r.path("deleting")),
            m.path("rebalance").asText()));
    out.append(
        f(
            ROW,
            "SERVER",
            "STATE",
            "REQ/S",
            "IN MiB/s",
            "OUT MiB/s",
            "5XX/S",
            "DISK USED",
            "LAST ERROR"));
    out.append(
        f(
            ROW,
            "master",
            m.path("ready").asBoolean() ? "ready" : "not-ready",
            rate(m.path("requestsPerSecond")),
            mib(m.path("bytesInPerSecond")),
            mib(m.path("bytesOutPerSecond")),
            errors(m.path("errorsPerSecond")),
            "",
            ""));
    for (JsonNode v : s.path("volumes")) {
      String state =
          v.path("state").asText()
              + (v.path("replaced").asBoolean() ? "*" : "")
              + (v.path("leaving").asBoolean() ? "<" : "");
      out.append(
          f(
              ROW,
              v.path("volume").asText(),
              state,
              rate(v.path("requestsPerSecond")),
              mib(v.path("bytesInPerSecond")),
              mib(v.path("bytesOutPerSecond")),
              errors(v.path("errorsPerSecond")),
              disk(v.path("diskFree"), v.path("diskTotal")),
              v.path("lastError").isNull() ? "" : v.path("lastError").asText()));
    }
    JsonNode errors = s.path("errors");
    if (errors.size() > 0) {
      out.append("\nrecent errors (newest first):\n");
      for (int i = 0; i < Math.min(ERRORS_SHOWN, errors.size()); i++) {
        out.append("  ")
            .append(clock(errors.get(i).path("time").asText()))
            .append(' ')
            .append(errors.get(i).path("message").asText())
            .append('\n');
      }
    }
    return out.toString().replaceAll("(?m) +$", "");
  }

  private static String clock(String instant) {
    try {
      return TIME.format(Instant.parse(instant));
    } catch (DateTimeParseException e) {
      return instant;
    }
  }

  private static String count(JsonNode n) {
    return n.isNumber() ? f("%,d", n.asLong()) : "-";
  }

  private static String rate(JsonNode n) {
    return n.isNumber() ? f("%,.0f", n.asDouble()) : "-";
  }

  private static String errors(JsonNode n) {
    return n.isNumber() ? f("%.1f", n.asDouble()) : "-";
  }

  private static String mib(JsonNode n) {
    return n.isNumber() ? f("%.1f", n.asDouble() / MIB) : "-";
  }

  private static String disk(JsonNode free, JsonNode total) {
    if (!free.isNumber() || !total.isNumber() || total.asDouble() <= 0) {
      return "-";
    }
    double used = total.asDouble() - free.asDouble();
    return f(
        "%.1f/%.1f GiB (%.0f%%)",
        used / GIB, total.asDouble() / GIB, 100 * used / total.asDouble());
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
