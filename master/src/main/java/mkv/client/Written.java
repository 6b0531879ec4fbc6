package mkv.client;

/** What a fan-out wrote to every replica: the byte count and, when asked for, the md5 in hex. */
public record Written(long size, String md5) {}
