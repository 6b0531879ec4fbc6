package mkv.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mkv.layout.KeyPath;
import mkv.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's awscli (installed by .ci/run) against the gateway: aws s3 mb/cp/ls/sync/rm with a 20 MiB
 * file (a multipart upload) and a directory tree, and aws s3api for listings with a delimiter and
 * pages, head-object, a ranged get-object and delete-objects.
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 170, unit = TimeUnit.SECONDS)
class AwsCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static S3Fixture s3;
  static Path aws;
  static Map<String, String> env;

  @BeforeAll
  static void start() throws IOException {
    aws = ClientProcess.find("/usr/bin/aws");
    assumeTrue(aws != null, "awscli is not installed (.ci/run installs Debian's awscli)");
    s3 = S3Fixture.start(tmp.resolve("cluster"));
    Path config = tmp.resolve("aws-config");
    Files.writeString(config, "[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n");
    Path home = Files.createDirectories(tmp.resolve("home"));
    env =
        Map.of(
            "AWS_ACCESS_KEY_ID",
            S3Fixture.ACCESS,
            "AWS_SECRET_ACCESS_KEY",
            S3Fixture.SECRET,
            "AWS_DEFAULT_REGION",
            "us-east-1",
            "AWS_CONFIG_FILE",
            config.toString(),
            "AWS_SHARED_CREDENTIALS_FILE",
            tmp.resolve("no-credentials").toString(),
            "AWS_PAGER",
            "",
            "AWS_EC2_METADATA_DISABLED",
            "true",
            "HOME",
            home.toString());
  }

  @AfterAll
  static void stop() throws IOException {
    if (s3 != null) {
      s3.close();
    }
  }

  static ClientProcess.Result aws(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of(aws.toString(), "--endpoint-url", s3.endpoint(), "--no-cli-pager"));
    cmd.addAll(List.of(args));
    return ClientProcess.run(tmp, env, 120, cmd);
  }

  static JsonNode awsJson(String... args) throws Exception {
    return JSON.readTree(aws(args).expectOk(String.join(" ", args)).out());
  }

  static String md5(byte[] b) {
    return HexFormat.of().formatHex(KeyPath.md5(b));
  }

  @Test
  void copyA20MiBFileUpAndDownThenRemoveIt() throws Exception {
    aws("s3", "mb", "s3://cli-big").expectOk("mb");
    byte[] big = new byte[20 << 20];
    new Random(13).nextBytes(big);
    Path file = tmp.resolve("big.bin");
    Files.write(file, big);
    aws("s3", "cp", "--only-show-errors", file.toString(), "s3://cli-big/dir/big.bin")
        .expectOk("cp up");
    String ls = aws("s3", "ls", "s3://cli-big/dir/").expectOk("ls").out();
    assertTrue(ls.contains("20971520 big.bin"), ls);
    Path back = tmp.resolve("big.out");
    aws("s3", "cp", "--only-show-errors", "s3://cli-big/dir/big.bin", back.toString())
        .expectOk("cp down");
    assertArrayEquals(big, Files.readAllBytes(back));
    // one value of the store: the same bytes and md5 through the plain API
    assertEquals(md5(big), Http.get(s3.cluster.url("/cli-big/dir/big.bin")).header("Content-Md5"));
    JsonNode head = awsJson("s3api", "head-object", "--bucket", "cli-big", "--key", "dir/big.bin");
    assertEquals(20 << 20, head.get("ContentLength").asLong());
    assertEquals("\"" + md5(big) + "\"", head.get("ETag").asText());
    Path range = tmp.resolve("range.out");
    JsonNode got =
        awsJson(
            "s3api",
            "get-object",
            "--bucket",
            "cli-big",
            "--key",
            "dir/big.bin",
            "--range",
            "bytes=1000-1999",
            range.toString());
    assertEquals(1000, got.get("ContentLength").asLong());
    assertArrayEquals(Arrays.copyOfRange(big, 1000, 2000), Files.readAllBytes(range));
    aws("s3", "rm", "s3://cli-big/dir/big.bin").expectOk("rm");
    assertNotEquals(
        0, aws("s3api", "head-object", "--bucket", "cli-big", "--key", "dir/big.bin").exit());
    aws("s3", "rb", "s3://cli-big").expectOk("rb");
  }

  @Test
  void syncATreeBothWays() throws Exception {
    aws("s3", "mb", "s3://cli-tree").expectOk("mb");
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    Map<String, byte[]> files = new TreeMap<>();
    files.put("a.txt", "alpha\n".getBytes(StandardCharsets.UTF_8));
    files.put("empty.txt", new byte[0]);
    files.put("with space.txt", "spaced\n".getBytes(StandardCharsets.UTF_8));
    files.put("\u00fcn\u00efcode.txt", "utf-8 name\n".getBytes(StandardCharsets.UTF_8));
    files.put("sub/b.txt", "beta\n".getBytes(StandardCharsets.UTF_8));
    byte[] blob = new byte[300_000];
    new Random(7).nextBytes(blob);
    files.put("sub/deeper/c.bin", blob);
    for (var e : files.entrySet()) {
      Path p = tree.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    aws("s3", "sync", "--only-show-errors", tree.toString(), "s3://cli-tree/t").expectOk("sync up");
    String ls = aws("s3", "ls", "--recursive", "s3://cli-tree/t/").expectOk("ls").out();
    for (String name : files.keySet()) {
      assertTrue(ls.contains("t/" + name), name + " missing from:\n" + ls);
    }
    Path back = tmp.resolve("tree-back");
    aws("s3", "sync", "--only-show-errors", "s3://cli-tree/t", back.toString())
        .expectOk("sync down");
    assertEquals(files.keySet(), filesUnder(back).keySet());
    for (var e : files.entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(back.resolve(e.getKey())), e.getKey());
    }
    // a second sync sends only what changed
    Files.writeString(tree.resolve("sub/b.txt"), "beta, longer now\n");
    String again =
        aws("s3", "sync", "--no-progress", tree.toString(), "s3://cli-tree/t")
            .expectOk("sync")
            .out();
    assertTrue(again.contains("sub/b.txt"), again);
    assertFalse(again.contains("a.txt"), again);
    aws("s3", "rm", "--recursive", "--only-show-errors", "s3://cli-tree/t")
        .expectOk("rm --recursive");
    assertEquals("", aws("s3", "ls", "--recursive", "s3://cli-tree/").out().strip());
  }

  @Test
  void s3apiListingsWithDelimiterAndPagesThenDeleteObjects() throws Exception {
    aws("s3", "mb", "s3://cli-api").expectOk("mb");
    Path one = tmp.resolve("one.txt");
    Files.writeString(one, "1");
    for (String key : List.of("p/a", "p/b", "p/c", "p/d/1", "p/d/2", "p/e/1", "q")) {
      aws("s3api", "put-object", "--bucket", "cli-api", "--key", key, "--body", one.toString())
          .expectOk(key);
    }
    JsonNode top =
        awsJson(
            "s3api",
            "list-objects-v2",
            "--bucket",
            "cli-api",
            "--prefix",
            "p/",
            "--delimiter",
            "/");
    assertEquals(List.of("p/a", "p/b", "p/c"), texts(top.get("Contents"), "Key"));
    assertEquals(List.of("p/d/", "p/e/"), texts(top.get("CommonPrefixes"), "Prefix"));
    // pages of two: the CLI follows the continuation tokens itself...
    JsonNode all = awsJson("s3api", "list-objects-v2", "--bucket", "cli-api", "--page-size", "2");
    assertEquals(
        List.of("p/a", "p/b", "p/c", "p/d/1", "p/d/2", "p/e/1", "q"),
        texts(all.get("Contents"), "Key"));
    // ...or stops after --max-items and hands out a token to go on from
    JsonNode first =
        awsJson(
            "s3api",
            "list-objects-v2",
            "--bucket",
            "cli-api",
            "--max-items",
            "3",
            "--page-size",
            "2");
    assertEquals(List.of("p/a", "p/b", "p/c"), texts(first.get("Contents"), "Key"));
    JsonNode rest =
        awsJson(
            "s3api",
            "list-objects-v2",
            "--bucket",
            "cli-api",
            "--page-size",
            "2",
            "--starting-token",
            first.get("NextToken").asText());
    assertEquals(List.of("p/d/1", "p/d/2", "p/e/1", "q"), texts(rest.get("Contents"), "Key"));
    JsonNode v1 = awsJson("s3api", "list-objects", "--bucket", "cli-api", "--delimiter", "/");
    assertEquals(List.of("q"), texts(v1.get("Contents"), "Key"));
    assertEquals(List.of("p/"), texts(v1.get("CommonPrefixes"), "Prefix"));
    JsonNode deleted =
        awsJson(
            "s3api",
            "delete-objects",
            "--bucket",
            "cli-api",
            "--delete",
            "{\"Objects\":[{\"Key\":\"p/a\"},{\"Key\":\"p/d/1\"},{\"Key\":\"never-there\"}]}");
    assertEquals(List.of("p/a", "p/d/1", "never-there"), texts(deleted.get("Deleted"), "Key"));
    JsonNode after = awsJson("s3api", "list-objects-v2", "--bucket", "cli-api", "--prefix", "p/");
    assertEquals(List.of("p/b", "p/c", "p/d/2", "p/e/1"), texts(after.get("Contents"), "Key"));
  }

  static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(n -> out.add(n.get(field).asText()));
    }
    return out;
  }

  static Map<String, Path> filesUnder(Path root) throws IOException {
    Map<String, Path> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isRegularFile).forEach(p -> m.put(root.relativize(p).toString(), p));
    }
    return m;
  }
}
