package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page end to end in real headless Chromium (Debian's chromium + chromium-driver): sign in
 * with an API token, upload a corpus with the progress bar, watch the scan list, open the report
 * with its charts, and write a screenshot to target/screenshots/.
 */
class BrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void signInUploadAndReadTheReport(@TempDir Path dir) throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("headless Chromium is needed for this test: install it with "
                    + "'apt-get install chromium chromium-driver' (.ci/run installs the packages in .ci/apt-packages.txt)");
        }
        Path data = dir.resolve("data");
        try (TestSupport.Env env = TestSupport.Env.start(data)) {
            var k1 = env.server.keys().keyed(env.key1);
            List<String> wm = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                wm.add(Corpora.watermarkedText(k1, env.server.tokenizer(), 200, 700 + i));
            }
            Path corpus = dir.resolve("suspect-corpus.jsonl");
            Files.writeString(corpus, Corpora.mixedJsonl(Corpora.human().subList(0, 40), wm));

            ChromeOptions o = new ChromeOptions();
            o.setBinary(CHROMIUM.toFile());
            o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    "--window-size=1400,1100", "--user-data-dir=" + dir.resolve("chrome-profile"));
            ChromeDriverService svc = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort().build();
            WebDriver d = new ChromeDriver(svc, o);
            try {
                WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(90));
                d.get("http://127.0.0.1:" + env.port() + "/ui/");
                assertEquals("Hallmark verifier", d.getTitle());

                d.findElement(By.id("token")).sendKeys("hm_not_a_real_token");
                d.findElement(By.id("signin")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("signin-error"), "not accepted"));

                WebElement tok = d.findElement(By.id("token"));
                tok.clear();
                tok.sendKeys(env.alpha);
                d.findElement(By.id("signin")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("app-view")));
                assertTrue(d.findElement(By.id("who")).getText().contains("alpha (analyst)"));

                d.findElement(By.id("file")).sendKeys(corpus.toAbsolutePath().toString());
                new Select(d.findElement(By.id("format"))).selectByValue("jsonl");
                d.findElement(By.id("name")).sendKeys("browser upload");
                d.findElement(By.id("upload")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("upload-status"), "queued"));
                assertEquals("100", d.findElement(By.id("upload-progress")).getAttribute("value"), "progress bar complete");

                // the list polls; the report opens by itself for the scan just uploaded
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("report-view")));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("report-verdict"), "Watermark detected"));
                assertEquals("browser upload", d.findElement(By.id("report-name")).getText());
                assertTrue(d.findElements(By.cssSelector("#chart-histogram rect.bar")).size() > 0, "histogram drawn");
                assertEquals(2, d.findElements(By.cssSelector("#chart-keys rect.key-bar")).size(), "one bar per key");
                assertTrue(d.findElements(By.cssSelector("#top-docs tbody tr")).size() >= 8);
                String row = d.findElement(By.cssSelector("#scans tbody")).getText();
                assertTrue(row.contains("done") && row.contains("watermarked"), row);

                Path shots = Path.of(System.getProperty("hallmark.screenshots", "target/screenshots"));
                Files.createDirectories(shots);
                File png = ((TakesScreenshot) d).getScreenshotAs(OutputType.FILE);
                Path out = shots.resolve("verifier-report.png");
                Files.copy(png.toPath(), out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                assertTrue(Files.size(out) > 10_000, "a real screenshot");
            } finally {
                d.quit();
            }
        }
    }
}
