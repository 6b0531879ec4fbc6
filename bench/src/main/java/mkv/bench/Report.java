package mkv.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The results as a terminal table, a JSON file and a PNG bar chart. */
final class Report {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Report() {}

  static void table(List<Result> results, PrintStream out) {
    out.printf(
        "%-22s %10s %12s %10s %9s %9s %9s %7s%n",
        "workload", "ops", "ops/s", "MiB/s", "p50 ms", "p99 ms", "max ms", "errors");
    for (Result r : results) {
      out.printf(
          "%-22s %,10d %,12.0f %,10.1f %9.3f %9.3f %9.3f %7d%n",
          r.name(),
          r.ops(),
          r.opsPerSecond(),
          r.mibPerSecond(),
          r.millis(50),
          r.millis(99),
          r.maxMillis(),
          r.errors());
    }
    for (Result r : results) {
      if (!r.extra().isEmpty()) {
        out.println("  " + r.name() + ": " + r.extra());
      }
    }
    for (Result r : results) {
      if (r.errors() > 0) {
        out.println("  ERRORS in " + r.name() + ": " + r.errors() + ", first: " + r.firstError());
      }
    }
  }

  static void json(List<Result> results, Map<String, Object> run, Path file) throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Result r : results) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("workload", r.workload());
      m.put("name", r.name());
      m.put("ops", r.ops());
      m.put("errors", r.errors());
      m.put("seconds", r.seconds());
      m.put("ops_per_s", r.opsPerSecond());
      m.put("mib_per_s", r.mibPerSecond());
      m.put("bytes", r.bytes());
      Map<String, Double> latency = new LinkedHashMap<>();
      latency.put("p50", r.millis(50));
      latency.put("p90", r.millis(90));
      latency.put("p99", r.millis(99));
      latency.put("p999", r.millis(99.9));
      latency.put("max", r.maxMillis());
      m.put("latency_ms", latency);
      m.put("first_error", r.firstError());
      m.put("extra", r.extra());
      rows.add(m);
    }
    Map<String, Object> doc = new LinkedHashMap<>(run);
    doc.put("errors", results.stream().mapToLong(Result::errors).sum());
    doc.put("results", rows);
    JSON.writeValue(file.toFile(), doc);
  }

  /** Two bar charts stacked in one PNG: ops/s and p99 latency, each bar labelled with its value. */
  static void plot(List<Result> results, String title, Path file) throws IOException {
    List<String> names = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<String> timed = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    for (Result r : results) {
      if (r.ops() == 0) {
        continue; // a workload that did not run
      }
      names.add(r.name());
      rates.add(r.opsPerSecond());
      if (r.millis(99) > 0) {
        timed.add(r.name());
        p99.add(r.millis(99));
      }
    }
    CategoryChart top = chart(title + ": throughput", "ops/s");
    top.addSeries("ops/s", names, rates).setFillColor(new Color(0x2b6cb0));
    CategoryChart bottom = chart("p99 latency", "ms");
    bottom.addSeries("p99 ms", timed, p99).setFillColor(new Color(0xc05621));
    BufferedImage a = BitmapEncoder.getBufferedImage(top);
    BufferedImage b = BitmapEncoder.getBufferedImage(bottom);
    BufferedImage both =
        new BufferedImage(a.getWidth(), a.getHeight() + b.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = both.createGraphics();
    g.drawImage(a, 0, 0, null);
    g.drawImage(b, 0, a.getHeight(), null);
    g.dispose();
    ImageIO.write(both, "png", file.toFile());
  }

  private static CategoryChart chart(String title, String yTitle) {
    CategoryChart c =
        new CategoryChartBuilder().width(1100).height(480).title(title).yAxisTitle(yTitle).build();
    Styler s = c.getStyler();
    s.setLegendVisible(false);
    s.setChartBackgroundColor(Color.WHITE);
    c.getStyler().setLabelsVisible(true);
    c.getStyler().setLabelsFontColorAutomaticEnabled(false);
    c.getStyler().setLabelsFontColor(Color.BLACK);
    c.getStyler().setXAxisLabelRotation(20);
    c.getStyler().setDecimalPattern("#,##0.##");
    return c;
  }
}
