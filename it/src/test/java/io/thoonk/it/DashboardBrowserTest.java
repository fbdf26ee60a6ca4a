package io.thoonk.it;

import io.thoonk.coordinator.Coordinator;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser: Debian's chromium, headless, driven through chromedriver by
 * Selenium (offline: Selenium Manager downloads nothing). Three coordinators and two shards of a
 * primary and a replica; the page loads, a shard primary is killed with SIGKILL, and without a
 * reload the page shows the failover at the top of its timeline and the shard's new primary. The
 * screenshot is kept as {@code docs/dashboard.png}.
 *
 * <p>Skipped (an assumption) only when chromium or chromedriver is not installed; CI installs them
 * ({@code .ci/run}).
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOT = Path.of("..", "docs", "dashboard.png");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().coordinators(3)
            .shards("s0", "s1").replicasPerShard(1));

    @TempDir
    Path profile;

    ChromeDriver browser;

    @BeforeEach
    void startBrowser() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
        System.setProperty("SE_OFFLINE", "true");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,860", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    WebElement shardCard(String id) {
        return browser.findElement(By.id("shard-" + id));
    }

    @Test
    void a_killed_primary_shows_as_a_failover_in_the_timeline_and_the_new_primary_on_its_card_without_reload()
            throws Exception {
        LocalCluster cluster = local.cluster();
        Coordinator viewed = cluster.coordinators().all().get(0);
        RedisShard s0 = cluster.shard("s0");
        String oldPrimary = s0.primaryAddress();
        String replica = s0.replicaAddresses().get(0);
        s0.awaitReplicationLinks();

        browser.get("http://" + viewed.httpAddress() + "/");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(browser.findElement(By.id("connection")).getAttribute("data-status")).isEqualTo("live");
            assertThat(browser.findElements(By.cssSelector("#shards [data-shard]"))).hasSize(2);
            assertThat(shardCard("s0").getAttribute("data-primary")).isEqualTo(oldPrimary);
            assertThat(shardCard("s0").findElements(By.cssSelector("[data-health='up']"))).hasSize(2);
        });
        assertThat(browser.findElements(By.cssSelector("#timeline [data-kind='failover']"))).isEmpty();
        ((JavascriptExecutor) browser).executeScript("window.__notReloaded = true;");

        s0.primary().kill();

        await().atMost(WAIT).untilAsserted(() -> {
            List<WebElement> entries = browser.findElements(By.cssSelector("#timeline li"));
            assertThat(entries).isNotEmpty();
            WebElement newest = entries.get(0);
            assertThat(newest.getAttribute("data-kind")).isEqualTo("failover");
            assertThat(newest.getAttribute("data-shard")).isEqualTo("s0");
            assertThat(newest.getText()).contains(oldPrimary, replica);
            assertThat(shardCard("s0").getAttribute("data-primary")).isEqualTo(replica);
            assertThat(shardCard("s0").findElement(By.cssSelector("[data-role='primary']"))
                    .getAttribute("data-health")).isEqualTo("up");
        });
        assertThat(((JavascriptExecutor) browser).executeScript("return window.__notReloaded === true;"))
                .as("the page updated in place, not by a reload").isEqualTo(true);
        assertThat(shardCard("s1").getAttribute("data-state")).isEqualTo("ACTIVE");

        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.createDirectories(SCREENSHOT.getParent());
        Files.copy(shot.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
    }
}
