package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.cluster.ReplicaRetirement;
import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.support.Counters;
import io.github.reqcount.support.RedisServer;
import io.github.reqcount.support.Replies;
import io.github.reqcount.support.RunningApp;
import io.github.reqcount.support.Traffic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, never a downloaded browser):
 * two replicas on one Redis, live updates without a reload, and a Redis outage that the page rides out.
 */
class DashboardIT {

    private static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void showsTheClusterLiveAndRidesOutARedisOutage(@TempDir Path profile) throws Exception {
        requireBrowser();
        RedisServer redis = RedisServer.shared();
        redis.flushAll();
        try (var a = new RunningApp("replica-a", redis); var b = new RunningApp("replica-b", redis)) {
            serve(a, 30);
            serve(b, 20);

            ChromeDriver driver = chromium(profile);
            try {
                driver.get(a.url() + "dashboard");
                var wait = new WebDriverWait(driver, WAIT);

                waitFor(wait, "the total of 50", d -> "50".equals(total(d)));
                waitFor(wait, "both replicas live with 30 and 20",
                        d -> bars(d).equals(Map.of("replica-a", "30 live", "replica-b", "20 live")));
                assertThat(driver.findElements(By.cssSelector("[data-replica]"))).as("one bar per replica")
                        .extracting(e -> e.getDomAttribute("data-replica")).containsExactly("replica-a", "replica-b");
                WebElement consistency = driver.findElement(By.id("consistency"));
                assertThat(consistency.getDomAttribute("data-state")).isEqualTo("consistent");
                assertThat(consistency.getText()).contains("add up");
                assertThat(status(driver)).isEqualTo("ok");
                screenshot(driver, "target/dashboard.png");

                // A reload would lose this; the page must update in place.
                driver.executeScript("window.sameDocument = true;");
                serve(a, 7);
                serve(b, 5);
                waitFor(wait, "the total of 62", d -> "62".equals(total(d)));
                waitFor(wait, "bars of 37 and 25",
                        d -> bars(d).equals(Map.of("replica-a", "37 live", "replica-b", "25 live")));
                assertThat(driver.executeScript("return window.sameDocument === true;")).as("no reload").isEqualTo(true);

                redis.stop();
                try {
                    waitFor(wait, "the outage banner", d -> "outage".equals(status(d)));
                    WebElement banner = driver.findElement(By.id("status"));
                    assertThat(banner.getText()).contains("Redis unavailable").contains("stale");
                    assertThat(driver.findElement(By.id("figures")).getDomAttribute("data-stale")).isEqualTo("true");
                    assertThat(total(driver)).as("last known total kept").isEqualTo("62");
                    long polls = polls(driver);
                    waitFor(wait, "two more polls during the outage", d -> polls(d) >= polls + 2);
                    assertThat(status(driver)).isEqualTo("outage");
                    screenshot(driver, "target/dashboard-outage.png");
                } finally {
                    redis.start();
                }

                waitFor(wait, "the banner to clear", d -> "ok".equals(status(d)));
                assertThat(driver.findElement(By.id("figures")).getDomAttribute("data-stale")).isEqualTo("false");
                serve(b, 1);
                waitFor(wait, "the total of 63 after the outage", d -> "63".equals(total(d)));
                assertThat(driver.executeScript("return window.sameDocument === true;")).as("no reload").isEqualTo(true);
                assertThat(driver.findElement(By.id("retired")).isDisplayed()).as("no retired bar yet").isFalse();

                // A replica gone ten minutes ago, folded here into retired: one bar of its own, not a replica's.
                // (The replicas' own upkeep, RETIRE_AFTER 1h, leaves it alone.)
                var template = a.bean(StringRedisTemplate.class);
                Counters.transaction(template, "replica-old").add(4);
                template.opsForHash().put(RedisKeys.REPLICA_SEEN, "replica-old",
                        Long.toString(System.currentTimeMillis() - Duration.ofMinutes(10).toMillis()));
                assertThat(new ReplicaRetirement(template)
                        .retire("replica-old", System.currentTimeMillis())).isEqualTo(4);
                waitFor(wait, "the retired bar of 4",
                        d -> "4".equals(d.findElement(By.id("retired")).getDomAttribute("data-value")));
                assertThat(driver.findElement(By.id("retired")).isDisplayed()).isTrue();
                assertThat(total(driver)).isEqualTo("67");
                assertThat(bars(driver)).isEqualTo(Map.of("replica-a", "37 live", "replica-b", "26 live"));
                assertThat(driver.findElement(By.id("consistency")).getText()).contains("retired count add up");
            } finally {
                driver.quit();
            }
        }
    }

    private static void requireBrowser() {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new AssertionError("DashboardIT needs " + binary + ": install Debian's chromium and chromium-driver "
                        + "('apt-get install -y chromium chromium-driver'), or point -Dchromium.binary and "
                        + "-Dchromedriver.binary at a matching pair, then run './mvnw verify' again.");
            }
        }
    }

    /** Debian's Chromium through Debian's chromedriver, so Selenium Manager never downloads either. */
    private static ChromeDriver chromium(Path profile) {
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--lang=en-US", "--window-size=1000,760",
                "--user-data-dir=" + profile.toAbsolutePath());
        var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static void serve(RunningApp app, int requests) throws Exception {
        Traffic.replies(List.of(app.url()), requests, 4);
    }

    private static void waitFor(WebDriverWait wait, String what, Function<WebDriver, Boolean> condition) {
        wait.withMessage("waiting for " + what).ignoring(StaleElementReferenceException.class).until(condition);
    }

    private static String total(WebDriver driver) {
        return driver.findElement(By.id("total")).getDomAttribute("data-value");
    }

    private static String status(WebDriver driver) {
        return driver.findElement(By.id("status")).getDomAttribute("data-state");
    }

    private static long polls(WebDriver driver) {
        String polls = driver.findElement(By.id("status")).getDomAttribute("data-polls");
        return polls == null ? 0 : Long.parseLong(polls);
    }

    /** Each bar as name to "count live|gone". */
    private static Map<String, String> bars(WebDriver driver) {
        return driver.findElements(By.cssSelector("[data-replica]")).stream().collect(Collectors.toMap(
                row -> row.getDomAttribute("data-replica"),
                row -> row.findElement(By.cssSelector("[data-count]")).getDomAttribute("data-count") + " "
                        + ("true".equals(row.getDomAttribute("data-live")) ? "live" : "gone")));
    }

    private static void screenshot(ChromeDriver driver, String file) throws IOException {
        Path path = Path.of(file);
        Files.createDirectories(path.getParent());
        Files.write(path, driver.getScreenshotAs(OutputType.BYTES));
    }
}
