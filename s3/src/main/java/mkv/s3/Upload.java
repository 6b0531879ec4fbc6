package mkv.s3;

/**
 * A multipart upload in progress, and the keys it lives in: its marker {@code
 * /_s3/uploads/BUCKET/ID} (the value: the object's key; the metadata: the object's, to apply at
 * completion), and each part {@code /_s3/parts/BUCKET/ID/NNNNN}, an ordinary key whose md5 is its
 * ETag. Ordinary small keys, so they live in the master's index, are listed by prefix, and come
 * back after a {@code rebuild}.
 *
 * @param key the object's key in its bucket
 * @param initiated the marker's creation, epoch milliseconds
 */
record Upload(String bucket, String id, String key, ObjectMeta meta, long initiated) {
  static final String UPLOADS = S3Request.INTERNAL + "uploads/";
  static final String PARTS = S3Request.INTERNAL + "parts/";

  /** The marker's key. */
  String marker() {
    return marker(bucket, id);
  }

  /** The prefix of its parts' keys. */
  String parts() {
    return PARTS + bucket + "/" + id + "/";
  }

  static String marker(String bucket, String id) {
    return UPLOADS + bucket + "/" + id;
  }

  /** The prefix of the markers of {@code bucket}'s uploads. */
  static String markers(String bucket) {
    return UPLOADS + bucket + "/";
  }

  /** The prefix of every part in {@code bucket}, its upload gone or not. */
  static String partsOf(String bucket) {
    return PARTS + bucket + "/";
  }

  /** Part {@code number}'s key: five digits, so that parts list in order. */
  static String partKey(String bucket, String id, int number) {
    return PARTS + bucket + "/" + id + "/" + String.format("%05d", number);
  }

  /** The number of the part stored at {@code partKey}. */
  static int partNumber(String partKey) {
    return Integer.parseInt(partKey.substring(partKey.lastIndexOf('/') + 1));
  }

  /** The upload a marker's listing entry stands for; null when its key is not one. */
  static Upload of(MasterClient.Entry marker) {
    if (!marker.key().startsWith(UPLOADS)) {
      return null;
    }
    String rest = marker.key().substring(UPLOADS.length());
    int slash = rest.indexOf('/');
    if (slash < 0) {
      return null;
    }
    ObjectMeta meta = ObjectMeta.decode(marker.meta());
    return new Upload(
        rest.substring(0, slash),
        rest.substring(slash + 1),
        meta.get(ObjectMeta.KEY),
        meta,
        marker.created());
  }

  /** The marker key of the upload a part belongs to. */
  static String markerOfPart(String partKey) {
    String rest = partKey.substring(PARTS.length());
    int last = rest.lastIndexOf('/');
    return UPLOADS + (last < 0 ? rest : rest.substring(0, last));
  }
}
