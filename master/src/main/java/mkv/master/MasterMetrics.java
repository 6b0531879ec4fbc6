package mkv.master;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Locale;
import mkv.index.Index;
import mkv.index.ReadCache;
import mkv.index.Record;
import mkv.metrics.Metrics;

/**
 * What only the master knows, added to its {@link Metrics}: each volume's state as it sees it,
 * records by state (kept by the index with every write), the read cache, and the progress of a
 * rebalance or re-replication.
 */
final class MasterMetrics {
  private final Index index;
  private final MultiGauge up;
  private final MultiGauge writable;

  MasterMetrics(
      Metrics metrics,
      Index index,
      VolumeHealth health,
      ReadCache<?> cache,
      Rebalancer rebalancer) {
    this.index = index;
    MeterRegistry registry = metrics.registry();
    up =
        MultiGauge.builder("mkv.volume.up")
            .description("1 while the master sends the volume reads")
            .register(registry);
    writable =
        MultiGauge.builder("mkv.volume.writable")
            .description("1 while the master sends the volume writes")
            .register(registry);
    metrics.beforeScrape(
        () -> {
          List<VolumeHealth.Status> all = health.all();
          up.register(
              all.stream()
                  .map(
                      s ->
                          MultiGauge.Row.of(
                              Tags.of("volume", s.volume()),
                              s.state() == VolumeHealth.State.DOWN ? 0 : 1))
                  .toList(),
              true);
          writable.register(
              all.stream()
                  .map(
                      s ->
                          MultiGauge.Row.of(
                              Tags.of("volume", s.volume()), health.writable(s.volume()) ? 1 : 0))
                  .toList(),
              true);
        });
    for (Record.State state : Record.State.values()) {
      Gauge.builder("mkv.index.records", this, m -> m.count(state))
          .description("records by state")
          .tag("state", state.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    FunctionCounter.builder("mkv.read.cache.hits", cache, ReadCache::hits)
        .description("GETs answered from the read cache")
        .register(registry);
    FunctionCounter.builder("mkv.read.cache.misses", cache, ReadCache::misses)
        .description("GETs that read the index")
        .register(registry);
    Gauge.builder(
            "mkv.rebalance.running",
            rebalancer,
            r -> r.run() != null && r.run().phase != RebalanceRun.Phase.DONE ? 1 : 0)
        .description("1 while a rebalance or re-replication is moving keys")
        .register(registry);
    Gauge.builder(
            "mkv.rebalance.moved.keys", rebalancer, r -> r.run() == null ? 0 : r.run().moved.sum())
        .description("keys the current or last move has moved")
        .register(registry);
    Gauge.builder(
            "mkv.rebalance.failed.keys",
            rebalancer,
            r -> r.run() == null ? 0 : r.run().failed.sum())
        .description("keys the current or last move could not move")
        .register(registry);
    Gauge.builder(
            "mkv.rebalance.pass.to.move.keys",
            rebalancer,
            r -> r.run() == null || r.run().pass == null ? 0 : r.run().pass.toMove.sum())
        .description("keys the current pass found out of place")
        .register(registry);
  }

  /**
   * When the records were last counted in full; every write of the index has kept the counts exact
   * since.
   */
  java.time.Instant countedAt() {
    return java.time.Instant.ofEpochMilli(index.countedAt());
  }

  /** The records in {@code state}, kept exact by the index. */
  double count(Record.State state) {
    return index.counts().get(state);
  }
}
