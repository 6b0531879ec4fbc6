package mkv.index;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One change of the index, as the master's Raft log carries it: records to write or remove, each
 * guarded by the version its writer read, and settings. Small (never a value's bytes), and applied
 * whole or not at all ({@link Index#apply}).
 *
 * @param changes the records, applied in order
 * @param settings the index's own settings to store (a null value removes one)
 */
public record IndexCommand(List<Change> changes, List<Setting> settings) {
  /** The guard of a change that does not care what the key holds. */
  public static final long ANY = -1;

  /** The guard of a change that requires the key to have no record. */
  public static final long ABSENT = -2;

  private static final int FORMAT = 1;

  public IndexCommand {
    changes = List.copyOf(changes);
    settings = List.copyOf(settings);
  }

  /**
   * One key's new record (null: removed), applied only when the key's record is still the one its
   * writer read.
   *
   * @param expect the version the current record must have ({@link Record#version}), or {@link
   *     #ABSENT} or {@link #ANY}
   */
  public record Change(String key, long expect, Record record) {}

  /** One setting of the index ({@link Index#meta}); a null value removes it. */
  public record Setting(String name, String value) {}

  /** A command of one change. */
  public static IndexCommand of(String key, long expect, Record record) {
    return new IndexCommand(List.of(new Change(key, expect, record)), List.of());
  }

  /** A command of settings only. */
  public static IndexCommand settings(List<Setting> settings) {
    return new IndexCommand(List.of(), settings);
  }

  /** The guard that a write of the key whose record was {@code read} (null: none) needs. */
  public static long expecting(Record read) {
    return read == null ? ABSENT : read.version();
  }

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeInt(changes.size());
      for (Change c : changes) {
        writeString(out, c.key());
        out.writeLong(c.expect());
        writeBytes(out, c.record() == null ? null : c.record().encode());
      }
      out.writeInt(settings.size());
      for (Setting s : settings) {
        writeString(out, s.name());
        writeBytes(out, s.value() == null ? null : Index.bytes(s.value()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Reads what {@link #encode} wrote.
   *
   * @throws IllegalArgumentException when the bytes are not a command of this format
   */
  public static IndexCommand decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int format = in.readUnsignedByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException("index command of unknown format " + format);
      }
      int n = in.readInt();
      List<Change> changes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String key = readString(in);
        long expect = in.readLong();
        byte[] record = readBytes(in);
        changes.add(new Change(key, expect, record == null ? null : Record.decode(record)));
      }
      int m = in.readInt();
      List<Setting> settings = new ArrayList<>(m);
      for (int i = 0; i < m; i++) {
        String name = readString(in);
        byte[] value = readBytes(in);
        settings.add(new Setting(name, value == null ? null : new String(value, UTF_8)));
      }
      return new IndexCommand(changes, settings);
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt index command: " + e, e);
    }
  }

  private static final java.nio.charset.Charset UTF_8 = java.nio.charset.StandardCharsets.UTF_8;

  private static void writeString(DataOutputStream out, String s) throws IOException {
    writeBytes(out, Index.bytes(s));
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] b = readBytes(in);
    if (b == null) {
      throw new IOException("a missing string");
    }
    return new String(b, UTF_8);
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    if (n > in.available()) {
      throw new IOException("a length of " + n + " past the end");
    }
    return in.readNBytes(n);
  }
}
