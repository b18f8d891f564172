package dev.switchboard.samples.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.runtime.pairing.PairingSettings;
import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser, the system's headless Chromium driven through its own chromedriver
 * (nothing is downloaded): the sample gateway runs in sandbox mode with the echo agent, and the page
 * texts it from the dev phone, shows the reply delivered, opens the conversation, and approves a
 * stranger's pairing. Skipped, saying why, where {@value #CHROMEDRIVER} is missing; {@code .ci/run}
 * installs it.
 */
@Tag("browser")
class ConsoleBrowserTest {

    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final String CHROMIUM = "/usr/bin/chromium";
    private static final String STRANGER = "+15551230001";

    @TempDir
    Path profile;

    private Gateway gateway;
    private ChromeDriverService service;
    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void browser() {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of(CHROMEDRIVER)) && Files.isExecutable(Path.of(CHROMIUM)),
                "the console's browser test needs Chromium and its driver: apt-get install chromium chromium-driver"
                        + " (" + CHROMEDRIVER + " or " + CHROMIUM + " is missing)");
        // The driver and the browser are named, so that Selenium Manager never looks for (or fetches) one.
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1200,860",
                "--user-data-dir=" + profile.toAbsolutePath());
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        // Live updates redraw lists: an element found a moment ago may be replaced by its fresh copy.
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    /** Starts the sandbox gateway with the echo agent and its console on a free port; the console's URL. */
    private String start(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("SMS_WEBHOOK_PORT", "0");
        env.put("SWITCHBOARD_ADMIN_PORT", "0");
        env.put("SWITCHBOARD_AGENT", "echo");
        gateway = Gateway.start(env, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return "http://127.0.0.1:" + gateway.runtime().adminPort() + "/";
    }

    /** The bubble of the agent's reply that says {@code text}. */
    private By reply(String text) {
        return By.xpath("//ol[@id='thread']/li[contains(@class,'theirs')][.//span[@class='text' and text()="
                + quoted(text) + "]]");
    }

    private static String quoted(String text) {
        return "'" + text + "'";
    }

    /** Clicks what {@code locator} finds, again if a live redraw replaced it meanwhile. */
    private void click(By locator) {
        wait.until(driver -> {
            driver.findElement(locator).click();
            return true;
        });
    }

    private void type(String text) {
        WebElement box = browser.findElement(By.id("phone-text"));
        box.sendKeys(text);
        box.sendKeys(Keys.ENTER);
    }

    @Test
    void textsTheEchoAgentSeesTheReplyDeliveredAndOpensTheConversation() throws Exception {
        browser.get(start(Map.of()));

        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("panel-phone")));
        assertThat(browser.findElement(By.id("tab-phone")).getAttribute("aria-selected"))
                .isEqualTo("true");
        wait.until(ExpectedConditions.textToBe(By.id("phone-number"), Gateway.SANDBOX_PHONE));
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));

        type("hello");

        WebElement mine = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//ol[@id='thread']/li[contains(@class,'mine')][.//span[@class='text' and text()='hello']]")));
        assertThat(mine.getAttribute("data-direction")).isEqualTo("inbound");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.xpath("(//ol[@id='thread']/li[contains(@class,'theirs')][.//span[@class='text' and text()="
                        + "'echo: hello']])//span[contains(@class,'status')]"),
                "delivered"));
        assertThat(browser.findElement(reply("echo: hello")).getText()).contains("Agent");
        assertThat(browser.findElement(By.id("phone-text")).getAttribute("value"))
                .isEmpty();

        type("Twilio, can you see this?");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.xpath("(//ol[@id='thread']/li[contains(@class,'theirs')][.//span[@class='text' and text()="
                        + "'echo: Twilio, can you see this?']])//span[contains(@class,'status')]"),
                "delivered"));
        type("HELP");
        wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//ol[@id='thread']/li[contains(@class,'twilio')][.//span[@class='text' and text()="
                        + "'Reply STOP to unsubscribe. Msg&Data Rates May Apply.']]")));
        screenshot();

        click(By.id("tab-conversations"));
        click(By.cssSelector(
                "#conversations button[data-channel='sms'][data-counterpart='" + Gateway.SANDBOX_PHONE + "']"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("transcript-head"), Gateway.SANDBOX_PHONE));
        String answered =
                "//ol[@id='transcript']/li[contains(@class,'outbound')][.//div[@class='text' and text()='echo: hello']]";
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.xpath(answered), "delivered"));
        wait.until(ExpectedConditions.textMatches(
                By.xpath(answered + "//span[@class='sid']"), Pattern.compile("SM[0-9a-f]{32}")));
        assertThat(
                        browser.findElements(
                                By.xpath(
                                        "//ol[@id='transcript']/li[contains(@class,'inbound')][.//div[@class='text' and text()='hello']]")))
                .hasSize(1);
    }

    @Test
    void approvesAStrangersPairingFromTheSchedulesTab() throws Exception {
        String console = start(Map.of("SMS_PAIRING", "true"));
        TwilioSandbox sandbox = gateway.sandbox().orElseThrow();
        assertThat(sandbox.text(STRANGER, Gateway.SANDBOX_GATEWAY_NUMBER, "hi, can I talk to your agent?")
                        .webhookStatus())
                .isEqualTo(200);

        browser.get(console + "#schedules");
        String card = "#pairings .card[data-sender='" + STRANGER + "']";
        wait.until(ExpectedConditions.textMatches(By.cssSelector(card + " .code"), Pattern.compile("[A-Z0-9]{4,}")));
        click(By.cssSelector(card + " button.approve"));

        wait.until(ExpectedConditions.textToBe(By.id("toast"), "Approved " + STRANGER));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(card)));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("pairings-empty")));
        // The stranger is told, through the stand-in, that they were approved.
        wait.until(driver -> sandbox.messages().stream()
                .filter(m -> m.direction() == SandboxMessage.Direction.OUTBOUND_API)
                .filter(m -> m.to().equals(STRANGER))
                .map(SandboxMessage::body)
                .anyMatch(PairingSettings.DEFAULT_APPROVED_MESSAGE::equals));

        click(By.id("tab-conversations"));
        click(By.cssSelector("#conversations button[data-counterpart='" + STRANGER + "']"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("transcript-head"), "pairing: approved"));
    }

    /** The dev phone with its short conversation, for the README: target/console.png. */
    private void screenshot() throws Exception {
        byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
        Path target = Path.of("target", "console.png");
        Files.createDirectories(target.getParent());
        Files.write(target, png);
        assertThat(List.of(png[1], png[2], png[3])).containsExactly((byte) 'P', (byte) 'N', (byte) 'G');
    }
}
