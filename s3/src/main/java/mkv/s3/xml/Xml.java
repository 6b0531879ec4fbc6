package mkv.s3.xml;

import java.nio.charset.StandardCharsets;

/**
 * Writes the small XML documents S3 answers with: elements and escaped text, the S3 namespace on
 * the root. A document is at most one listing page (1,000 entries), so it is built in memory.
 */
public final class Xml {
  public static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
  public static final String CONTENT_TYPE = "application/xml";

  private final StringBuilder sb = new StringBuilder(256);

  private Xml() {
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  }

  /** A document whose root element is {@code root}, in S3's namespace. */
  public static Xml document(String root) {
    Xml x = new Xml();
    x.sb.append('<').append(root).append(" xmlns=\"").append(NAMESPACE).append("\">");
    return x;
  }

  /** A document whose root has no namespace (S3's {@code <Error>}). */
  public static Xml bare(String root) {
    Xml x = new Xml();
    x.sb.append('<').append(root).append('>');
    return x;
  }

  public Xml open(String name) {
    sb.append('<').append(name).append('>');
    return this;
  }

  public Xml close(String name) {
    sb.append("</").append(name).append('>');
    return this;
  }

  /** {@code <name>text</name>}; nothing when {@code text} is null. */
  public Xml element(String name, Object text) {
    if (text != null) {
      open(name);
      escape(String.valueOf(text));
      close(name);
    }
    return this;
  }

  /**
   * Ends the document with text in the root itself ({@code <LocationConstraint>}) then {@code
   * </root>}.
   */
  public byte[] endText(String text, String root) {
    escape(text);
    return end(root);
  }

  /** Ends the document with {@code </root>} and returns its UTF-8 bytes. */
  public byte[] end(String root) {
    close(root);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private void escape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        case '\r' -> sb.append("&#13;");
        default -> {
          // XML 1.0 cannot carry most control characters even escaped: S3 keys with them need
          // encoding-type=url, which every SDK asks for.
          if (c < 0x20 && c != '\t' && c != '\n') {
            sb.append("&#").append((int) c).append(';');
          } else {
            sb.append(c);
          }
        }
      }
    }
  }
}
