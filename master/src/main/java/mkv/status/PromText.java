package mkv.status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Prometheus text format that our servers' {@code /metrics} answer, as far as the status
 * views need it: each sample's name, labels and value (comments, timestamps and exemplars ignored).
 */
public final class PromText {
  /** One sample: {@code name{labels} value}. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PromText(List<Sample> samples) {
    this.samples = samples;
  }

  public static PromText parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Sample s = sample(line);
      if (s != null) {
        out.add(s);
      }
    }
    return new PromText(out);
  }

  // name[{k="v",...}] value [timestamp]; label values escape \, " and newline with a backslash.
  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (i < line.length() && line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
          return null;
        }
        String label = line.substring(i, eq).trim();
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; j < line.length() && line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\' && j + 1 < line.length()) {
            char e = line.charAt(++j);
            value.append(e == 'n' ? '\n' : e);
          } else {
            value.append(c);
          }
        }
        labels.put(label, value.toString());
        i = j + 1;
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    String[] rest = line.substring(Math.min(i, line.length())).trim().split(" ");
    try {
      return new Sample(name, labels, Double.parseDouble(rest[0]));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The sum of every sample named {@code name} whose labels include {@code match} (pairs k, v,
   * ...).
   */
  public double sum(String name, String... match) {
    double total = 0;
    boolean found = false;
    for (Sample s : samples) {
      if (s.name().equals(name) && matches(s.labels(), match)) {
        total += s.value();
        found = true;
      }
    }
    return found ? total : Double.NaN;
  }

  /** Like {@link #sum} over the samples whose label {@code label} starts with {@code prefix}. */
  public double sumWhere(String name, String label, String prefix) {
    double total = 0;
    boolean found = false;
    for (Sample s : samples) {
      String v = s.labels().get(label);
      if (s.name().equals(name) && v != null && v.startsWith(prefix)) {
        total += s.value();
        found = true;
      }
    }
    return found ? total : Double.NaN;
  }

  private static boolean matches(Map<String, String> labels, String[] match) {
    for (int k = 0; k + 1 < match.length; k += 2) {
      if (!match[k + 1].equals(labels.get(match[k]))) {
        return false;
      }
    }
    return true;
  }
}
