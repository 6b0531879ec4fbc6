package mkv.status;

/**
 * One server's counters at one moment, read from its {@code /metrics}: the status views subtract
 * two samples to show rates. A value the server does not export (a stock nginx volume) is NaN.
 *
 * @param nanos when it was taken ({@link System#nanoTime})
 * @param requests requests answered so far
 * @param errors of those, answered 5xx
 * @param bytesIn request body bytes received so far
 * @param bytesOut response body bytes sent so far
 * @param diskFree free bytes on the data disk, or NaN (the master has none)
 * @param diskTotal size of the data disk, or NaN
 */
public record Sample(
    long nanos,
    double requests,
    double errors,
    double bytesIn,
    double bytesOut,
    double diskFree,
    double diskTotal) {

  /** A server that could not be read: every counter unknown. */
  public static Sample unknown(long nanos) {
    return new Sample(
        nanos, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
  }

  /** The counters of a scrape of {@code /metrics} taken at {@code nanos}. */
  public static Sample of(long nanos, PromText m) {
    double requests = m.sum("mkv_http_requests_total");
    double errors = m.sumWhere("mkv_http_requests_total", "status", "5");
    if (Double.isNaN(errors) && !Double.isNaN(requests)) {
      errors = 0; // counters appear with their first request: none answered 5xx yet
    }
    return new Sample(
        nanos,
        requests,
        errors,
        m.sum("mkv_http_received_bytes_total"),
        m.sum("mkv_http_sent_bytes_total"),
        m.sum("disk_free_bytes"),
        m.sum("disk_total_bytes"));
  }

  /** This server's own counters at {@code nanos}: it has no data disk. */
  public static Sample of(long nanos, mkv.metrics.Metrics.Totals t) {
    return new Sample(
        nanos, t.requests(), t.errors(), t.bytesIn(), t.bytesOut(), Double.NaN, Double.NaN);
  }

  /** Per-second rates from {@code before} to this sample (NaN where either is unknown). */
  public Rates since(Sample before) {
    double seconds = (nanos - before.nanos) / 1e9;
    return new Rates(
        rate(requests, before.requests, seconds),
        rate(errors, before.errors, seconds),
        rate(bytesIn, before.bytesIn, seconds),
        rate(bytesOut, before.bytesOut, seconds));
  }

  private static double rate(double now, double then, double seconds) {
    // a restarted server's counters start again from zero: no rate for that interval
    return seconds <= 0 || now < then ? Double.NaN : (now - then) / seconds;
  }

  /** What a server did per second between two samples. */
  public record Rates(double requests, double errors, double bytesIn, double bytesOut) {
    public static final Rates UNKNOWN = new Rates(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
  }
}
