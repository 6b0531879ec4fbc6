package mkv.cli;

import java.time.Duration;
import mkv.sync.SyncMode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --sync} and {@code --sync-interval}, the same on master and volume (a picocli mixin). */
public final class SyncOptions {
  @Option(
      names = "--sync",
      defaultValue = "always",
      converter = ModeConverter.class,
      description =
          "What a 201 promises: always (on disk: survives a machine crash), batch (flushed within"
              + " --sync-interval: survives a process crash, a machine crash loses at most that"
              + " window), none (the page cache, as nginx and minikeyvalue) (default:"
              + " ${DEFAULT-VALUE}).")
  public SyncMode mode;

  @Option(
      names = "--sync-interval",
      defaultValue = "50ms",
      converter = DurationConverter.class,
      description =
          "With --sync batch, the longest a write stays unflushed (default: ${DEFAULT-VALUE}).")
  public Duration interval;

  /** Reads always, batch or none. */
  public static final class ModeConverter implements ITypeConverter<SyncMode> {
    @Override
    public SyncMode convert(String value) {
      for (SyncMode m : SyncMode.values()) {
        if (m.toString().equalsIgnoreCase(value.trim())) {
          return m;
        }
      }
      throw new TypeConversionException("'" + value + "' is not one of always, batch, none");
    }
  }
}
