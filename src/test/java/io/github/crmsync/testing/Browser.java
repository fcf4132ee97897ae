package io.github.crmsync.testing;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Debian's headless Chromium driven through its chromium-driver (installed by .ci/run), with a
 * fresh profile per browser; Selenium Manager is never asked to download anything.
 */
public final class Browser implements AutoCloseable {

    public static final Dimension WIDE = new Dimension(1280, 800);
    public static final Dimension NARROW = new Dimension(400, 800);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration ELEMENT_PATIENCE = Duration.ofSeconds(20);

    public final WebDriver driver;
    private final ChromeDriverService service;
    private final Path profile;

    public Browser() throws IOException {
        profile = Files.createTempDirectory("crmsync-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,800");
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(WIDE);
    }

    public void open(String url) {
        driver.get(url);
    }

    /** Logs in through the form, as a person would. */
    public void logIn(String serviceUrl, String user, String password) {
        open(serviceUrl + "/");
        field("username").clear();
        field("username").sendKeys(user);
        field("password").sendKeys(password);
        driver.findElement(By.id("login-button")).click();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> !driver.findElements(By.id("mappings")).isEmpty());
        } catch (RuntimeException e) {
            throw new AssertionError("not logged in; the browser shows " + driver.getCurrentUrl() + ": " + driver.getPageSource(), e);
        }
    }

    public WebElement field(String id) {
        return driver.findElement(By.id(id));
    }

    public String text(String id) {
        return retry(() -> driver.findElement(By.id(id)).getText());
    }

    public void click(String id) {
        retry(() -> {
            driver.findElement(By.id(id)).click();
            return null;
        });
    }

    public void choose(String selectId, String value) {
        retry(() -> {
            new Select(driver.findElement(By.id(selectId))).selectByValue(value);
            return null;
        });
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** The text the browser gets for a URL of the page's origin, with its cookie, as the page's own fetches do. */
    public String fetch(String path) {
        return (String) ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0], {credentials: 'same-origin', headers: {'X-Requested-With': 'fetch'}})"
                        + ".then(r => r.text()).then(done, e => done('fetch failed: ' + e));", path);
    }

    /** A screenshot of one element (a section) at the current window size, under target/screenshots/. */
    public void screenshot(String name, String elementId) {
        WebElement element = driver.findElement(By.id(elementId));
        script("arguments[0].scrollIntoView({block: 'start'})", element);
        save(name, element.getScreenshotAs(OutputType.BYTES));
    }

    /** What the window shows, scrolled to an element, under target/screenshots/. */
    public void windowScreenshot(String name, String elementId) {
        script("arguments[0].scrollIntoView({block: 'start'})", driver.findElement(By.id(elementId)));
        save(name, ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
    }

    public void resize(Dimension size) {
        driver.manage().window().setSize(size);
    }

    private static void save(String name, byte[] png) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The page renders rows and re-renders tables as data arrives: a step that finds its element
     * not there yet, or just replaced, tries again for a while (a loaded machine renders late).
     */
    private static <T> T retry(Callable<T> step) {
        long deadline = System.nanoTime() + ELEMENT_PATIENCE.toNanos();
        while (true) {
            try {
                return step.call();
            } catch (StaleElementReferenceException | NoSuchElementException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
