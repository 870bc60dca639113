package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hallmark.service.store.KeyStore;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
            // a ShareGPT chat set: human user turns; 30 human assistant turns and 8 watermarked ones
            StringBuilder chat = new StringBuilder();
            for (int i = 0; i < 38; i++) {
                String answer = i < 30 ? Corpora.human().get(i) : Corpora.watermarkedText(k1, env.server.tokenizer(), 200, 700 + i);
                chat.append(new io.vertx.core.json.JsonObject().put("id", "conv-" + i).put("conversations",
                        new io.vertx.core.json.JsonArray()
                                .add(new io.vertx.core.json.JsonObject().put("from", "human").put("value",
                                        Corpora.human().get(60 + i).substring(0, 300)))
                                .add(new io.vertx.core.json.JsonObject().put("from", "gpt").put("value", answer)))
                        .encode()).append('\n');
            }
            Path corpus = dir.resolve("suspect-chats.jsonl");
            Files.writeString(corpus, chat);
            String pasted = Corpora.human().get(200).substring(0, 500) + " "
                    + Corpora.watermarkedText(k1, env.server.tokenizer(), 250, 4242);

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

                // the form's toggles: plain text has no field; radioactivity shows the served-data box
                Select format = new Select(d.findElement(By.id("format")));
                format.selectByValue("text");
                assertFalse(d.findElement(By.id("field-label")).isDisplayed(), "no field for plain text");
                format.selectByValue("chat");
                assertTrue(d.findElement(By.id("field-label")).isDisplayed());
                assertTrue(d.findElement(By.id("turns-label")).isDisplayed());
                assertFalse(d.findElement(By.id("filter-label")).isDisplayed());
                new Select(d.findElement(By.id("scan-type"))).selectByValue("radioactivity");
                assertTrue(d.findElement(By.id("filter-label")).isDisplayed());
                new Select(d.findElement(By.id("scan-type"))).selectByValue("watermark");
                format.selectByValue(""); // detected from the content

                d.findElement(By.id("file")).sendKeys(corpus.toAbsolutePath().toString());
                d.findElement(By.id("name")).sendKeys("browser upload");
                d.findElement(By.id("upload")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("upload-status"), "queued"));
                assertEquals("100", d.findElement(By.id("upload-progress")).getAttribute("value"), "progress bar complete");

                // the list polls; the report opens by itself for the scan just uploaded
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("report-view")));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("report-verdict"), "Watermark detected"));
                assertEquals("browser upload", d.findElement(By.id("report-name")).getText());
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("upload-status"), "done: watermark detected"));
                assertTrue(d.findElement(By.id("report-input")).getText().contains("sharegpt chat"),
                        d.findElement(By.id("report-input")).getText());
                assertTrue(d.findElement(By.id("report-summary")).getText().contains("flagged"));
                assertTrue(d.findElements(By.cssSelector("#chart-histogram rect.bar")).size() > 0, "histogram drawn");
                assertTrue(d.findElements(By.cssSelector("#chart-histogram text.axis-title")).size() == 2, "axis titles");
                assertTrue(d.findElements(By.cssSelector("#chart-keys text.tick")).size() >= 3, "tick labels");
                assertEquals(2, d.findElements(By.cssSelector("#chart-keys rect.key-bar")).size(), "one bar per key");
                assertTrue(d.findElements(By.cssSelector("#top-docs tbody tr")).size() >= 8);
                assertTrue(d.findElement(By.cssSelector("#key-table thead")).getText().contains("p (Holm-adjusted)"));
                String row = d.findElement(By.cssSelector("#scans tbody")).getText();
                assertTrue(row.contains("done") && row.contains("watermarked"), row);

                // every flagged document, and one of them with its spans highlighted
                wait.until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#flagged-docs tbody tr"), 6));
                d.findElement(By.cssSelector("#flagged-docs tbody tr")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#doc-text mark.span")));
                WebElement mark = d.findElement(By.cssSelector("#doc-text mark.span"));
                assertTrue(mark.getText().length() > 50, "a highlighted span of the watermarked answer");
                // the analyst's view: the span's p-value as its conservative bucket
                assertTrue(mark.getAttribute("title").contains("p \u2264 1e-"), mark.getAttribute("title"));
                assertTrue(d.findElement(By.id("doc-title")).getText().contains("turn 2"));
                Path shots = Path.of(System.getProperty("hallmark.screenshots", "target/screenshots"));
                Files.createDirectories(shots);
                Files.copy(((TakesScreenshot) d).getScreenshotAs(OutputType.FILE).toPath(), shots.resolve("verifier-document.png"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

                // the paste box: spans highlighted, no token colours for an analyst
                assertFalse(d.findElement(By.id("colour-label")).isDisplayed(), "token colours are for admins only");
                assertFalse(d.findElement(By.id("admin-view")).isDisplayed(), "key and token management is for admins only");
                ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                        "document.getElementById('check-text').value = arguments[0];", pasted);
                d.findElement(By.id("check")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("check-result"), "Watermark detected"));
                assertTrue(d.findElement(By.id("check-result")).getText().contains("best key key one (" + env.key1.id() + ")"),
                        "analysts see key labels: " + d.findElement(By.id("check-result")).getText());
                assertTrue(d.findElement(By.id("keys-visible")).getText().contains("key one (" + env.key1.id()),
                        d.findElement(By.id("keys-visible")).getText());
                assertTrue(d.findElements(By.cssSelector("#check-doc mark.span")).size() > 0, "pasted text: span highlighted");
                assertEquals(0, d.findElements(By.cssSelector("#check-doc .tok-green")).size());

                // 760 px wide: no sideways scrolling of the page
                d.manage().window().setSize(new org.openqa.selenium.Dimension(760, 1400));
                Thread.sleep(300);
                Object overflow = ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                assertTrue(((Number) overflow).longValue() <= 0, "horizontal overflow at 760 px: " + overflow);

                File png = ((TakesScreenshot) d).getScreenshotAs(OutputType.FILE);
                Path out = shots.resolve("verifier-report.png");
                Files.copy(png.toPath(), out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                assertTrue(Files.size(out) > 10_000, "a real screenshot");

                // an admin may colour the pasted text's tokens green / red
                d.findElement(By.id("signout")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
                d.findElement(By.id("token")).sendKeys(env.admin);
                d.findElement(By.id("signin")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("colour-label")));
                d.findElement(By.id("check-colour")).click();
                ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                        "document.getElementById('check-text').value = arguments[0];", pasted);
                d.findElement(By.id("check")).click();
                wait.until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#check-doc .tok-green"), 10));
                assertTrue(d.findElements(By.cssSelector("#check-doc .tok-red")).size() > 0);
                assertEquals(pasted, d.findElement(By.id("check-doc")).getAttribute("textContent"),
                        "colouring keeps the text as it was");

                // admins manage keys and API tokens on the page; a new token's value is shown once
                assertTrue(d.findElement(By.id("admin-view")).isDisplayed());
                wait.until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#keys tbody tr"), 1));
                assertTrue(d.findElement(By.cssSelector("#keys tbody")).getText().contains("key one"));
                d.findElement(By.id("token-tenant")).sendKeys("gamma");
                d.findElement(By.id("token-label")).sendKeys("made on the page");
                d.findElement(By.id("token-create")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("token-new"), "hm_"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#tokens tbody"), "made on the page"));
                d.findElement(By.id("key-label")).sendKeys("made on the page");
                d.findElement(By.id("key-tenant")).sendKeys("gamma");
                d.findElement(By.id("key-create")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#keys tbody"), "made on the page"));
                KeyStore.Info made = env.server.keys().list().stream()
                        .filter(k -> k.label().equals("made on the page")).findFirst().orElseThrow();
                assertEquals("gamma", made.tenant(), "registered for the tenant typed in");
                assertTrue(rowOf(d, made.id()).getText().contains("gamma"));
                assertTrue(rowOf(d, env.key1.id()).getText().contains("all tenants (shared)"));

                // keys per tenant: the filter shows what one tenant's analysts test (its keys and the shared ones)
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#key-tenant-filter option[value='alpha']")));
                new Select(d.findElement(By.id("key-tenant-filter"))).selectByValue("alpha");
                wait.until(ExpectedConditions.not(ExpectedConditions.textToBePresentInElementLocated(
                        By.cssSelector("#keys tbody"), "made on the page")));
                assertTrue(d.findElement(By.cssSelector("#keys tbody")).getText().contains("key one"));
                new Select(d.findElement(By.id("key-tenant-filter"))).selectByValue("");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#keys tbody"), "made on the page"));

                // move a key to another tenant
                rowOf(d, made.id()).findElement(By.cssSelector("button.key-move")).click();
                org.openqa.selenium.Alert prompt = wait.until(ExpectedConditions.alertIsPresent());
                prompt.sendKeys("alpha");
                prompt.accept();
                wait.until(d2 -> {
                    try {
                        return rowOf(d2, made.id()).getText().contains("alpha");
                    } catch (org.openqa.selenium.StaleElementReferenceException | AssertionError e) {
                        return false; // the table is being redrawn
                    }
                });
                assertEquals("alpha", env.server.keys().get(made.id()).tenant());
            } finally {
                d.quit();
            }
        }
    }

    /** The row of the keys table that shows key {@code id}. */
    static WebElement rowOf(WebDriver d, String id) {
        for (WebElement tr : d.findElements(By.cssSelector("#keys tbody tr"))) {
            if (tr.getText().contains(id)) {
                return tr;
            }
        }
        throw new AssertionError("no row for key " + id);
    }
}
