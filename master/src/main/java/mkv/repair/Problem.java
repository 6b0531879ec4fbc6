package mkv.repair;

/** The kinds of trouble {@link Verifier} looks for. */
public enum Problem {
  /** A replica the record lists does not hold the value (or the record says it is missing). */
  MISSING,
  /** A replica holds a value of the wrong size or md5. */
  CORRUPT,
  /** A file on a volume that no record claims there. */
  ORPHAN,
  /** A write left unfinished for longer than the grace period. */
  STALE_PENDING,
  /** A DELETE that failed half way: the key is unlinked, some copies may remain. */
  UNFINISHED_DELETE,
  /** The record's replicas are not where placement puts the key: run rebalance. */
  MISPLACED,
  /** No replica holds a good copy: nothing to repair from. */
  UNRECOVERABLE,
  /** A volume could not be reached, so what it holds was not checked. */
  UNREACHABLE
}
