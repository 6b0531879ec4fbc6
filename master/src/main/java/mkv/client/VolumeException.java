package mkv.client;

import java.io.IOException;

/** A volume failed a request: it answered an error, timed out, or could not be reached. */
public final class VolumeException extends IOException {
  private final String volume;
  private final int status;
  private final boolean timedOut;

  /**
   * A volume that answered an error ({@code status}) or failed otherwise ({@code status} 0).
   *
   * @param volume the replica or server that failed, {@code host:port[/svXX]}
   * @param status the status it answered, or 0 when it did not answer
   */
  public VolumeException(String volume, int status, String what, Throwable cause) {
    super("replica " + volume + ": " + what, cause);
    this.volume = volume;
    this.status = status;
    this.timedOut = false;
  }

  /** A volume that did not answer within a time-out. */
  public VolumeException(String volume, TimeoutException timeout) {
    super("replica " + volume + ": timed out " + timeout.phase(), timeout);
    this.volume = volume;
    this.status = 0;
    this.timedOut = true;
  }

  public String volume() {
    return volume;
  }

  /** The HTTP status the volume answered, or 0 when it did not answer at all. */
  public int status() {
    return status;
  }

  /** Whether the volume did not answer within a time-out (as opposed to refusing or failing). */
  public boolean timedOut() {
    return timedOut;
  }

  /** Whether the volume said its disk is full. */
  public boolean diskFull() {
    return status == 507;
  }
}
