package mkv.raft;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One master of the group: its HTTP address (which names it) and its Raft endpoint, by default the
 * HTTP port + 1000. Written {@code HOST:PORT} or {@code HOST:PORT/RAFTPORT}.
 */
public record Peer(String address, String raftHost, int raftPort) {
  /** How far above the HTTP port the Raft endpoint is, unless given. */
  public static final int RAFT_PORT_OFFSET = 1000;

  /**
   * Reads {@code HOST:PORT[/RAFTPORT]}.
   *
   * @throws IllegalArgumentException when it is not of that form
   */
  public static Peer parse(String spec) {
    String s = spec.trim();
    String raft = null;
    int slash = s.indexOf('/');
    if (slash >= 0) {
      raft = s.substring(slash + 1);
      s = s.substring(0, slash);
    }
    URI uri;
    try {
      uri = URI.create("http://" + s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a master is HOST:PORT[/RAFTPORT], not '" + spec + "'");
    }
    if (uri.getHost() == null
        || uri.getPort() <= 0
        || uri.getPath() != null && !uri.getPath().isEmpty()) {
      throw new IllegalArgumentException("a master is HOST:PORT[/RAFTPORT], not '" + spec + "'");
    }
    int raftPort;
    try {
      raftPort = raft == null ? uri.getPort() + RAFT_PORT_OFFSET : Integer.parseInt(raft);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the Raft port of '" + spec + "' is not a number");
    }
    if (raftPort <= 0 || raftPort > 65535) {
      throw new IllegalArgumentException("the Raft port of '" + spec + "' is out of range");
    }
    return new Peer(uri.getHost() + ":" + uri.getPort(), uri.getHost(), raftPort);
  }

  /** Reads a comma-separated list; refuses duplicates. */
  public static List<Peer> parseList(String specs) {
    List<Peer> peers = new ArrayList<>();
    for (String spec : specs.split(",")) {
      if (spec.isBlank()) {
        continue;
      }
      Peer p = parse(spec);
      if (peers.stream().anyMatch(q -> q.address().equals(p.address()))) {
        throw new IllegalArgumentException("master " + p.address() + " is listed twice");
      }
      peers.add(p);
    }
    return peers;
  }

  /**
   * The id Ratis knows this master by: its address with '_' for ':' (Ratis names JMX beans after
   * it, where ':' is not allowed; '_' is in no host name or address, so the id reads back).
   */
  public String id() {
    return address.replace(':', '_');
  }

  /** The HTTP address of the master whose Ratis id is {@code id}. */
  public static String addressOf(String id) {
    return id.replace('_', ':');
  }

  /** The Raft endpoint, {@code host:port}. */
  public String raftAddress() {
    return raftHost + ":" + raftPort;
  }

  /** {@code http://host:port}. */
  public String url() {
    return "http://" + address;
  }

  @Override
  public String toString() {
    return address + "/" + raftPort;
  }
}
