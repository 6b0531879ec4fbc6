package mkv.master;

import static mkv.testing.Http.eventually;
import static mkv.testing.Http.get;
import static mkv.testing.Http.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mkv.testing.TestCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page as a user sees it, in Debian's Chromium driven headless by its chromedriver:
 * volumes up with their disk use, rates once traffic flows, and a volume going down with the error
 * it caused. Needs the packages {@code chromium} and {@code chromium-driver} (CI installs them).
 */
@Tag("slow") // a system test of many seconds: left out of the fast set
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusPageTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void showsVolumesRatesAndAVolumeGoingDown(@TempDir Path tmp) throws Exception {
    assertTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "this test needs Debian's chromium and chromium-driver: apt-get install chromium"
            + " chromium-driver");
    try (TestCluster c = TestCluster.volumes(tmp, 3)) {
      c.startMaster(
          MasterConfig.builder(tmp.resolve("index"), c.addresses())
              .replicas(2)
              .subvolumes(1)
              .build());
      String url = c.master().baseUrl();
      WebDriver browser = chromium(tmp);
      try {
        browser.get(url + "/_status");
        assertEquals("mkv status", browser.getTitle());
        assertTrue(
            eventually(
                Duration.ofSeconds(15), () -> states(browser).equals(List.of("UP", "UP", "UP"))),
            "three volumes up: " + states(browser));
        assertTrue(
            text(browser, "readiness").startsWith("ready: 3 of 3 volumes take writes"),
            text(browser, "readiness"));
        String first = c.addresses().get(0);
        assertTrue(
            row(browser, first).get(6).matches("[0-9.]+ of [0-9.]+ GiB"),
            row(browser, first).toString());

        // Traffic the page must show as a rate (bounded: at most 30 s of writes).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean seen = false;
        for (int i = 0; i < 3000 && !seen && System.nanoTime() < deadline; i++) {
          assertEquals(201, put(url + "/status/k" + i, "value" + i).code());
          seen =
              i % 50 == 49
                  && number(text(browser, "m-req")) > 0
                  && number(row(browser, first).get(2)) > 0;
        }
        assertTrue(seen, "master and volume req/s shown: " + text(browser, "m-req"));
        assertTrue(
            eventually(Duration.ofSeconds(10), () -> number(text(browser, "m-live")) > 0),
            "live records");

        c.kill(0);
        String down = c.addresses().get(0);
        assertTrue(
            eventually(Duration.ofSeconds(15), () -> row(browser, down).get(1).equals("DOWN")),
            "the killed volume shows down: " + states(browser));
        assertTrue(
            eventually(
                Duration.ofSeconds(10),
                () -> browser.findElement(By.id("errors")).getText().contains("volume " + down)),
            "recent errors name it: " + browser.findElement(By.id("errors")).getText());
        assertEquals("UP", row(browser, c.addresses().get(1)).get(1));
      } finally {
        browser.quit();
      }
    }
  }

  @Test
  void jsonHasNullForWhatIsUnknownAndTheKeyIsReserved(@TempDir Path tmp) throws Exception {
    try (TestCluster c = TestCluster.start(tmp, 2, 1, 1)) {
      String url = c.master().baseUrl();
      JsonNode s = new ObjectMapper().readTree(get(url + "/_status?json").text());
      assertTrue(s.get("master").get("ready").asBoolean());
      assertTrue(s.get("master").get("requestsPerSecond").isNull(), "no rate from one sample");
      assertEquals(2, s.get("volumes").size());
      assertTrue(s.get("volumes").get(0).get("diskTotal").asDouble() > 0);
      assertEquals(400, put(url + "/_status", "x").code());
    }
  }

  private static WebDriver chromium(Path tmp) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--user-data-dir=" + tmp.resolve("chromium-profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  private static List<String> states(WebDriver browser) {
    return table(browser).stream().map(r -> r.get(2)).toList();
  }

  /** The shown text of {@code volume}'s row, cell by cell. */
  private static List<String> row(WebDriver browser, String volume) {
    return table(browser).stream()
        .filter(r -> r.get(0).equals(volume))
        .findFirst()
        .map(r -> r.subList(1, r.size()))
        .orElse(List.of());
  }

  // Read in one script: the page redraws every second, which would make elements found one by one
  // stale.
  @SuppressWarnings("unchecked")
  private static List<List<String>> table(WebDriver browser) {
    return (List<List<String>>)
        ((JavascriptExecutor) browser)
            .executeScript(
                "return [...document.querySelectorAll('#volumes tbody tr')].map(r =>"
                    + " [r.dataset.volume, ...[...r.cells].map(c => c.innerText)])");
  }

  private static String text(WebDriver browser, String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private static double number(String shown) {
    try {
      return Double.parseDouble(shown.replace(",", ""));
    } catch (NumberFormatException unknown) {
      return -1; // "-"
    }
  }
}
