package org.scriptbox.browser;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium against the real container: log in, write a script with a syntax
 * error and see it inline at its line, fix it, run it, see the result and its trace, see a hostile log line as
 * text, press the e-stop (and confirm) and see the device stopped, see the dashboard's charts. Every step waits
 * on a condition with a bound; screenshots are kept in target/browser-screenshots.
 */
public class ConsoleBrowserIT {
    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
    private static final Duration BOUND = Duration.ofSeconds(15);
    private static final String PASSWORD = "correct horse battery";

    private static final TemporaryFolder WORK = new TemporaryFolder();
    private static Distribution container;
    private static ChromeDriver browser;
    private static WebDriverWait wait;
    private static Path screenshots;

    @BeforeClass
    public static void start() throws Exception {
        Assume.assumeTrue("SKIPPED: no Chromium here (" + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install chromium"
                + " chromium-driver (.ci/run installs them)", Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER));
        WORK.create();
        screenshots = Files.createDirectories(Paths.get(System.getProperty("scriptbox.screenshots", "target/browser-screenshots")));
        container = Distribution.start(WORK.getRoot().toPath(), PASSWORD, "admin", "admin", "olga", "operator");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // the machine notes' flags: no sandbox as root, no GPU, and no background connections to a closed network
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--user-data-dir=" + WORK.newFolder("chromium-profile").getAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, BOUND);
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (container != null) {
                container.close();
            }
            WORK.delete();
        }
    }

    private static void screenshot(String name) throws Exception {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), screenshots.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static WebElement visible(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    private static void textAppears(String css, String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
    }

    private static void setEditor(String css, String text) {
        ((JavascriptExecutor) browser).executeScript(
                "document.querySelector(arguments[0] + ' .CodeMirror').CodeMirror.setValue(arguments[1])", css, text);
    }

    @Test
    public void anOperatorWritesRunsTracesAndStops() throws Exception {
        browser.get(container.url("/"));
        visible("#login-user").sendKeys("olga");
        browser.findElement(By.id("login-password")).sendKeys("wrong");
        browser.findElement(By.id("login-submit")).click();
        textAppears("#login-error", "Wrong user name or password.");
        browser.findElement(By.id("login-password")).clear();
        browser.findElement(By.id("login-password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-submit")).click();
        textAppears("#who", "olga (operator)");
        visible("#scripts-rows");

        // a new script, first with a syntax error on line 2
        visible("#new-script-name").sendKeys("mover");
        browser.findElement(By.cssSelector("#new-script button")).click();
        visible("#editor .CodeMirror");
        setEditor("#toml-editor", "version = \"1.0.0\"\npermissions = [\"device:read\", \"device:control\"]\n");
        setEditor("#editor", "local s = device_get_status('sim-1')\nlocal x = = 1\nreturn s.connected\n");
        browser.findElement(By.id("save")).click();
        WebElement inline = visible("#editor .inline-error[data-line='2']");
        assertTrue(inline.getText(), inline.getText().startsWith("2:"));
        textAppears("#problems", "mover.lua:2");
        assertFalse(browser.findElements(By.cssSelector("#editor .line-error")).isEmpty());
        screenshot("1-syntax-error-inline");

        // fixed: saved, the inline error gone
        String source = String.join("\n",
                "local s = device_get_status('sim-1')",
                "device_set_motor_speed(0, 40, 'sim-1')",
                "log_info('<script>window.pwned = 1</script><b>bold</b>')",
                "local ok = pcall(device_set_digital_output, 99, true, 'sim-1')",
                "return s.connected, ...", "");
        setEditor("#editor", source);
        browser.findElement(By.id("save")).click();
        textAppears("#save-info", "Saved: version 1.0.0");
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#editor .inline-error"), 0));
        assertEquals("", browser.findElement(By.id("problems")).getText());

        // run with arguments: the result, then the run's trace as a timeline
        WebElement args = browser.findElement(By.id("run-args"));
        args.clear();
        args.sendKeys("[\"fast\", 3]");
        browser.findElement(By.id("run")).click();
        textAppears("#result-status", "COMPLETED");
        textAppears("#result-values", "true, \"fast\", 3");
        textAppears("#trace tr[data-type='CALL']", "device_get_status(\"sim-1\")");
        textAppears("#trace", "device_set_motor_speed(0, 40, \"sim-1\")");
        textAppears("#trace tr[data-type='END']", "COMPLETED");
        textAppears("#trace tr[data-type='START']", "(\"fast\", 3)");
        textAppears("#runs-rows", "COMPLETED");
        screenshot("2-run-result-and-trace");

        // the script's log line is shown as text, never as HTML
        textAppears("#log-rows", "<script>window.pwned = 1</script><b>bold</b>");
        assertTrue(browser.findElements(By.cssSelector("#log-rows script, #log-rows b, #trace script, #trace b")).isEmpty());
        assertNull(((JavascriptExecutor) browser).executeScript("return window.pwned === undefined ? null : window.pwned"));

        // the scripts page lists it with its status
        browser.get(container.url("/console/#/scripts"));
        textAppears("#scripts-rows tr[data-script='mover']", "COMPLETED"); // the status of its last run

        // e-stop: asks first, then the device is stopped
        browser.get(container.url("/console/#/devices"));
        textAppears("[data-device='sim-1']", "motor0.target: 40");
        browser.findElement(By.cssSelector("[data-estop='sim-1']")).click();
        WebElement dialog = visible("#confirm");
        assertTrue(dialog.getText(), dialog.getText().contains("Emergency stop device sim-1 now?"));
        screenshot("3-estop-confirmation");
        browser.findElement(By.id("confirm-yes")).click();
        textAppears("#estop-report", "sim-1: stopped");
        textAppears("[data-device='sim-1']", "motor0.target: 0");
        screenshot("4-device-stopped");

        // the dashboard draws its charts
        browser.get(container.url("/console/#/dashboard"));
        wait.until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#charts .uplot canvas"), 6));
        textAppears("#resources-summary", "running");
        screenshot("5-dashboard");

        List<String> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue() || e.getMessage().contains("Content Security Policy"))
                // the API's refusals (a wrong password, a compile error, a 404 of a new script) are answers, not faults
                .map(LogEntry::getMessage).filter(m -> !m.contains("Failed to load resource"))
                .collect(Collectors.toList());
        assertTrue("the browser saw errors: " + problems, problems.isEmpty());
    }
    /**
     * Red team of the console: every text a script provides (its log lines, error messages, results, the trace's
     * call arguments and errors, its metadata) is shown as those characters in real Chromium; nothing of it
     * becomes an element, nothing runs, and the CSP is never tested by it.
     */
    @Test
    public void scriptProvidedTextNeverBecomesMarkup() throws Exception {
        String payload = "<img src=x onerror=\"window.pwned=2\"><svg onload=\"window.pwned=3\"></svg>"
                + "<script>window.pwned=4</script><a href=\"javascript:window.pwned=5\">x</a>";
        String lua = payload.replace("\\", "\\\\").replace("'", "\\'");
        Files.writeString(container.deploy.resolve("hostile.toml"), "version = \"1.0.0\"\ndescription = '" + payload
                + "'\nauthor = '" + payload + "'\ntags = ['" + payload + "']\n");
        Files.writeString(container.deploy.resolve("hostile.lua"), "local P = '" + lua + "'\nprint(P)\n"
                + "pcall(device_get_status, P)\nif ... == 'fail' then error(P, 0) end\nreturn P, {[P] = P}\n");
        browser.manage().deleteAllCookies();
        browser.get(container.url("/"));
        visible("#login-user").sendKeys("olga");
        browser.findElement(By.id("login-password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-submit")).click();
        textAppears("#who", "olga (operator)");
        browser.get(container.url("/console/#/script/hostile"));
        textAppears("#script-status", "COMPILED");
        WebElement args = browser.findElement(By.id("run-args"));
        args.clear();
        args.sendKeys("[\"fail\"]");
        browser.findElement(By.id("run")).click();
        textAppears("#run-result", payload);   // the error message, literally
        args.clear();
        args.sendKeys("[]");
        browser.findElement(By.id("run")).click();
        textAppears("#run-result", "COMPLETED");
        textAppears("#run-result", "<script>window.pwned=4</script>");   // the returned values (as JSON)
        textAppears("#log-rows", payload);
        textAppears("#trace", "device_get_status(");
        textAppears("#trace", "<svg onload=");
        textAppears("#runs-rows", "<img src=x");
        assertNoMarkupFrom("script page");
        screenshot("6-hostile-text-shown-as-text");
        browser.get(container.url("/console/#/scripts"));
        textAppears("#scripts-rows tr[data-script='hostile']", "COMPLETED");
        assertNoMarkupFrom("scripts page");
        browser.get(container.url("/console/#/dashboard"));
        wait.until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#charts .uplot canvas"), 6));
        assertNoMarkupFrom("dashboard");
        // a link whose script name is ".." (the browser would send the page's calls to other routes) or markup
        for (String link : List.of("/console/#/script/..", "/console/#/script/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")) {
            browser.get(container.url(link));
            textAppears("#not-a-name", "is not a script name");
            assertNoMarkupFrom(link);
        }
        List<String> csp = browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy") || m.contains("pwned")).collect(Collectors.toList());
        assertTrue("the page tried to run script text: " + csp, csp.isEmpty());
        browser.manage().deleteAllCookies();
    }

    private static void assertNoMarkupFrom(String where) {
        List<WebElement> made = browser.findElements(By.cssSelector(
                "[onerror], [onload], img[src='x'], main script, #view script, a[href^='javascript']"));
        assertTrue(where + ": elements made of script text: " + made.size(), made.isEmpty());
        assertNull(where, ((JavascriptExecutor) browser).executeScript("return window.pwned === undefined ? null : window.pwned"));
    }
}
