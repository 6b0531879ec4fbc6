package mkv.s3;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import mkv.s3.auth.SigV4;
import mkv.s3.xml.S3Error;
import mkv.s3.xml.Xml;

/**
 * ListObjectsV2 and ListObjects (v1): the bucket's keys in byte order from the master's paged,
 * detailed listing ({@code /bucket/prefix?list&detail&start=&limit=}), with delimiter roll-up into
 * CommonPrefixes. A common prefix costs one page whatever it holds: the listing jumps past it.
 */
final class ListHandler {
  static final int MAX_KEYS = 1000;

  /** The largest code point: a key prefix followed by it sorts after every key with that prefix. */
  private static final String AFTER_ALL = new String(Character.toChars(Character.MAX_CODE_POINT));

  /** Pages fetched for one answer at most (a bound on the loop; each page advances the cursor). */
  private static final int MAX_PAGES = 100_000;

  private final MasterClient master;
  private final BucketHandler buckets;

  ListHandler(MasterClient master, BucketHandler buckets) {
    this.master = master;
    this.buckets = buckets;
  }

  /** One listed object. */
  private record Item(String key, MasterClient.Entry entry) {}

  /** What one answer holds. */
  private record Listing(
      List<Item> contents,
      List<String> prefixes,
      boolean truncated,
      String nextCursor,
      String last) {}

  void list(HttpServerExchange exchange, S3Request r, boolean v2) throws IOException {
    buckets.require(r.bucket);
    String prefix = r.query.getOrDefault("prefix", "");
    String delimiter = r.query.getOrDefault("delimiter", "");
    int maxKeys = maxKeys(r.param("max-keys"));
    boolean url = "url".equals(r.param("encoding-type"));
    if (r.param("encoding-type") != null && !url) {
      throw S3Error.invalidArgument("Invalid Encoding Method specified in Request");
    }
    String base = "/" + r.bucket + "/";
    String cursor = null;
    String token = r.param("continuation-token");
    String startAfter = r.param("start-after");
    String marker = r.param("marker");
    if (v2 && token != null) {
      cursor = base + decodeToken(token);
    } else if (v2 && startAfter != null && !startAfter.isEmpty()) {
      cursor = base + startAfter + "\0";
    } else if (!v2 && marker != null && !marker.isEmpty()) {
      // a marker that is a common prefix (v1's NextMarker) skips every key it rolls up
      cursor =
          base + marker + (!delimiter.isEmpty() && marker.endsWith(delimiter) ? AFTER_ALL : "\0");
    }
    Listing l = collect(base, prefix, delimiter, maxKeys, cursor);
    Xml x =
        Xml.document("ListBucketResult")
            .element("Name", r.bucket)
            .element("Prefix", enc(prefix, url));
    if (v2) {
      x.element("ContinuationToken", token)
          .element("StartAfter", startAfter == null ? null : enc(startAfter, url))
          .element("KeyCount", l.contents().size() + l.prefixes().size());
    } else {
      x.element("Marker", enc(marker == null ? "" : marker, url));
    }
    x.element("MaxKeys", maxKeys);
    if (!delimiter.isEmpty()) {
      x.element("Delimiter", enc(delimiter, url));
    }
    if (url) {
      x.element("EncodingType", "url");
    }
    x.element("IsTruncated", l.truncated());
    if (l.truncated() && v2) {
      x.element("NextContinuationToken", encodeToken(l.nextCursor().substring(base.length())));
    } else if (l.truncated()) {
      x.element("NextMarker", enc(l.last(), url));
    }
    for (Item i : l.contents()) {
      MasterClient.Entry e = i.entry();
      x.open("Contents")
          .element("Key", enc(i.key(), url))
          .element("LastModified", Replies.iso(e.created()))
          .element(
              "ETag",
              Replies.etag(
                  e.md5() != null
                      ? e.md5()
                      : Long.toHexString(e.size()) + "-" + Long.toHexString(e.created())))
          .element("Size", Math.max(0, e.size()))
          .element("StorageClass", "STANDARD");
      if (!v2) {
        x.open("Owner").element("ID", "mkv").element("DisplayName", "mkv").close("Owner");
      }
      x.close("Contents");
    }
    for (String p : l.prefixes()) {
      x.open("CommonPrefixes").element("Prefix", enc(p, url)).close("CommonPrefixes");
    }
    Replies.xml(exchange, 200, x.end("ListBucketResult"));
  }

  private Listing collect(String base, String prefix, String delimiter, int maxKeys, String start)
      throws IOException {
    List<Item> contents = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String cursor = start;
    String last = null;
    if (maxKeys == 0) {
      return new Listing(contents, prefixes, false, null, null);
    }
    for (int pages = 0; pages < MAX_PAGES; pages++) {
      int count = contents.size() + prefixes.size();
      MasterClient.Page page =
          master.list(base + prefix, cursor, Math.min(MAX_KEYS, maxKeys - count + 1));
      String jump = null;
      for (MasterClient.Entry e : page.entries()) {
        if (contents.size() + prefixes.size() == maxKeys) {
          return new Listing(contents, prefixes, true, e.key(), last);
        }
        String key = e.key().substring(base.length());
        int d = delimiter.isEmpty() ? -1 : key.indexOf(delimiter, prefix.length());
        if (d >= 0) {
          String common = key.substring(0, d + delimiter.length());
          prefixes.add(common);
          last = common;
          jump = base + common + AFTER_ALL;
          break;
        }
        contents.add(new Item(key, e));
        last = key;
        cursor = e.key() + "\0";
      }
      if (jump != null) {
        cursor = jump;
        continue;
      }
      if (page.next().isEmpty()) {
        return new Listing(contents, prefixes, false, null, last);
      }
      cursor = page.next();
    }
    throw S3Error.internal("listing did not finish within " + MAX_PAGES + " pages");
  }

  static int maxKeys(String value) {
    if (value == null) {
      return MAX_KEYS;
    }
    try {
      int n = Integer.parseInt(value.strip());
      if (n >= 0) {
        return Math.min(n, MAX_KEYS);
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw S3Error.invalidArgument("max-keys must be a whole number from 0");
  }

  /** Keys and prefixes as given, or percent-encoded for {@code encoding-type=url}. */
  static String enc(String s, boolean url) {
    return url ? SigV4.uriEncode(s, false) : s;
  }

  static String encodeToken(String cursor) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(cursor.getBytes(StandardCharsets.UTF_8));
  }

  static String decodeToken(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw S3Error.invalidArgument("The continuation token provided is incorrect");
    }
  }
}
