package mkv.client;

import java.util.List;

/**
 * What a fan-out wrote: the byte count, the md5 in hex when asked for, and the replicas that failed
 * while enough others succeeded (empty unless fewer than all were required).
 */
public record Written(long size, String md5, List<VolumeException> failed) {}
