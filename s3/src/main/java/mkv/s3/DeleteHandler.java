package mkv.s3;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import mkv.http.ContentMd5;
import mkv.layout.KeyPath;
import mkv.s3.xml.S3Error;
import mkv.s3.xml.Xml;
import mkv.s3.xml.XmlRequests;

/**
 * DeleteObject and DeleteObjects. A delete of a missing key succeeds, as in S3. On a master run
 * with {@code --protect}, which refuses to delete a live key, the object is unlinked instead.
 */
final class DeleteHandler {
  private final MasterClient master;
  private final BucketHandler buckets;
  private final ExecutorService deleters;
  private final String masterUrl;

  DeleteHandler(
      MasterClient master, BucketHandler buckets, ExecutorService deleters, String masterUrl) {
    this.master = master;
    this.buckets = buckets;
    this.deleters = deleters;
    this.masterUrl = masterUrl;
  }

  void delete(HttpServerExchange exchange, S3Request r) throws IOException {
    if (!master.delete(r.storeKey())) {
      buckets.require(r.bucket);
    }
    Replies.empty(exchange, 204);
  }

  /** Up to 1,000 keys, deleted a few at a time; each failure is reported with its key. */
  void deleteMany(HttpServerExchange exchange, S3Request r) throws IOException {
    buckets.require(r.bucket);
    byte[] body = exchange.getInputStream().readNBytes(XmlRequests.MAX_BYTES + 1);
    if (body.length > XmlRequests.MAX_BYTES) {
      throw new S3Error(400, "MalformedXML", "the request body is too large");
    }
    ContentMd5.check(PutHandler.contentMd5(r), HexFormat.of().formatHex(KeyPath.md5(body)));
    XmlRequests.Delete request = XmlRequests.delete(body);
    List<Future<Throwable>> results = new ArrayList<>();
    for (String key : request.keys()) {
      results.add(
          deleters.submit(
              () -> {
                try {
                  master.delete("/" + r.bucket + "/" + key);
                  return null;
                } catch (IOException | RuntimeException e) {
                  return e;
                }
              }));
    }
    Xml x = Xml.document("DeleteResult");
    for (int i = 0; i < results.size(); i++) {
      Throwable failure;
      try {
        failure = results.get(i).get();
      } catch (InterruptedException | ExecutionException e) {
        failure = e;
      }
      String key = request.keys().get(i);
      if (failure == null) {
        if (!request.quiet()) {
          x.open("Deleted").element("Key", key).close("Deleted");
        }
      } else {
        S3Error e = Failures.of(failure, masterUrl);
        x.open("Error")
            .element("Key", key)
            .element("Code", e.code())
            .element("Message", e.getMessage())
            .close("Error");
      }
    }
    Replies.xml(exchange, 200, x.end("DeleteResult"));
  }
}
