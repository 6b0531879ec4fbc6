package mkv.s3.xml;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads the XML bodies S3 requests carry (DeleteObjects, CompleteMultipartUpload), with DTDs and
 * external entities off: a request body never makes the gateway read a file or a URL.
 */
public final class XmlRequests {
  /** The most a request body of XML may hold (1,000 keys of 1 KiB, with their tags). */
  public static final int MAX_BYTES = 2 * 1024 * 1024;

  private XmlRequests() {}

  /** DeleteObjects' {@code <Delete>}: its keys, and whether it is quiet. */
  public record Delete(boolean quiet, List<String> keys) {}

  /** One {@code <Part>} of CompleteMultipartUpload. */
  public record Part(int number, String etag) {}

  public static Delete delete(byte[] body) {
    Element root = parse(body, "Delete");
    List<String> keys = new ArrayList<>();
    boolean quiet = false;
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getLocalName().equals("Object")) {
        String key = child(e, "Key");
        if (key == null) {
          throw malformed();
        }
        keys.add(key);
      } else if (n instanceof Element e && e.getLocalName().equals("Quiet")) {
        quiet = e.getTextContent().strip().equalsIgnoreCase("true");
      }
    }
    if (keys.size() > 1000) {
      throw malformed();
    }
    return new Delete(quiet, keys);
  }

  public static List<Part> complete(byte[] body) {
    Element root = parse(body, "CompleteMultipartUpload");
    List<Part> parts = new ArrayList<>();
    NodeList list = root.getElementsByTagNameNS("*", "Part");
    for (int i = 0; i < list.getLength(); i++) {
      Element p = (Element) list.item(i);
      String number = child(p, "PartNumber");
      String etag = child(p, "ETag");
      if (number == null) {
        throw malformed();
      }
      try {
        parts.add(new Part(Integer.parseInt(number.strip()), etag == null ? null : etag.strip()));
      } catch (NumberFormatException e) {
        throw malformed();
      }
    }
    return parts;
  }

  private static String child(Element e, String name) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element c && c.getLocalName().equals(name)) {
        return c.getTextContent();
      }
    }
    return null;
  }

  private static Element parse(byte[] body, String root) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      Document d = b.parse(new ByteArrayInputStream(body));
      Element e = d.getDocumentElement();
      if (!e.getLocalName().equals(root)) {
        throw malformed();
      }
      return e;
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw malformed();
    }
  }

  private static S3Error malformed() {
    return new S3Error(
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate "
            + "against our published schema");
  }
}
