package mkv.sync;

/**
 * What a server promises about a write it acknowledged ({@code --sync}); README's "Durability"
 * section states each promise.
 */
public enum SyncMode {
  /** Acknowledged once on disk: survives a crash of the machine. */
  ALWAYS,
  /**
   * Acknowledged once in the page cache, flushed within the sync interval: survives a crash of the
   * process.
   */
  BATCH,
  /** Acknowledged once in the page cache, flushed whenever the kernel writes it back. */
  NONE;

  /** The flag's spelling: {@code always}, {@code batch} or {@code none}. */
  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
