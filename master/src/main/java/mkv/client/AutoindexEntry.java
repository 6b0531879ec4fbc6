package mkv.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One entry of a directory listing in nginx's {@code autoindex_format json}, which our volume
 * server speaks too.
 *
 * @param size bytes, or -1 for a directory (nginx prints no size for those)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AutoindexEntry(String name, String type, String mtime, Long size) {
  public boolean isDirectory() {
    return "directory".equals(type);
  }

  public boolean isFile() {
    return "file".equals(type);
  }

  public long bytes() {
    return size == null ? -1 : size;
  }
}
