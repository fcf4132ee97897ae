package io.github.crmsync.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.testing.Browser;
import io.github.crmsync.testing.Hawtio;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.WholeService;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hawtio 4, run as README.md says (its war on Jetty's distribution, in a JVM of its own), operating
 * the running service through its Jolokia with the operator login, driven in headless Chromium as an
 * operator would: the connection is added in Hawtio's Connect form and logged in to with the
 * operator's user and password; the Camel tab lists the service's routes and stops and starts one
 * (the route's state changes in the service); the JMX tab reads the service MBean's Tier; and an
 * operation the Jolokia policy forbids (the CamelContext's sendBody) is refused by the service.
 * Screenshots go to target/hawtio-screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HawtioEndToEndTest {

    private static final String ROUTE = "bulk-sync-run";
    private static final String ROUTE_MBEAN = "org.apache.camel:context=crmsync,type=routes,name=\"" + ROUTE + "\"";
    private static final String SERVICE_MBEAN = "io.github.crmsync:type=service,name=crmsync";
    private static final Path SCREENSHOTS = Path.of("target", "hawtio-screenshots");
    /** Generous: Hawtio's page and its calls through the proxy on a loaded 2-core machine. */
    private static final Duration UI = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;
    private static Hawtio hawtio;
    // Hawtio comes up while the service starts; the service trusts its origin
    @RegisterExtension
    static final WholeService whole = WholeService.sandbox()
            .with("camel.main.jmxEnabled", "true")
            .beforeStart((noWorld, properties, directory) -> {
                hawtio = Hawtio.start(directory.resolve("hawtio"), RunningService.freePort());
                properties.put("crmsync.operator.trusted-origins", hawtio.origin());
                return hawtio;
            });
    private RunningService service;
    private Browser browser;
    private WebDriver driver;

    @BeforeAll
    void start() throws Exception {
        service = whole.service();
        hawtio.awaitUp(Duration.ofMinutes(2));
        browser = new Browser();
        driver = browser.driver;
        connectAsTheOperator();
    }

    @AfterAll
    void stop() throws IOException {
        // the service, then Hawtio, stop after this (WholeService)
        if (browser != null) {
            browser.close();
        }
    }

    /** Hawtio's Connect tab, as an operator uses it: add the connection, connect, log in with the operator login. */
    private void connectAsTheOperator() {
        driver.get(hawtio.url() + "/connect");
        click(By.xpath("//button[contains(., 'Add connection')]"));
        type(By.id("connection-form-name"), "crmsync");
        click(By.cssSelector("label[for=connection-form-scheme]")); // HTTPS to HTTP: the management server is plain HTTP
        assertThat(driver.findElement(By.id("connection-form-scheme")).isSelected()).as("scheme switched to HTTP").isFalse();
        type(By.id("connection-form-host"), "127.0.0.1");
        type(By.id("connection-form-port"), service.property("camel.management.port"));
        type(By.id("connection-form-path"), "/observe/jolokia");
        click(By.xpath("//button[.='Test connection']"));
        await().atMost(UI).until(() -> element(By.id("connection-form")).getText().contains("Connection successful"));
        screenshot("01-add-connection");
        click(By.xpath("//footer//button[.='Add']"));

        String connectPage = driver.getWindowHandle();
        click(By.xpath("//li[contains(., 'crmsync')]//button[.='Connect']"));
        // Hawtio opens the connection in a window of its own
        await().atMost(UI).until(() -> driver.getWindowHandles().size() == 2);
        driver.switchTo().window(driver.getWindowHandles().stream().filter(h -> !h.equals(connectPage)).findFirst().orElseThrow());
        element(By.id("connect-login-form-username"));
        recordJolokiaCalls();
        type(By.id("connect-login-form-username"), RunningService.OPERATOR_USER);
        type(By.id("connect-login-form-password"), RunningService.OPERATOR_PASSWORD);
        screenshot("02-log-in");
        click(By.xpath("//button[.='Log in']"));
        try {
            // the Camel tab appears once Hawtio has listed the service's MBeans through its proxy
            element(By.xpath("//nav//a[.='Camel']"));
        } catch (RuntimeException e) {
            screenshot("02-not-connected");
            throw new AssertionError("Hawtio did not connect; it shows " + driver.getCurrentUrl()
                    + "; its calls through the proxy and the answers: " + recordedCalls(), e);
        }
        recordJolokiaCalls(); // again: logging in loads the page anew
        screenshot("03-connected");
    }

    @Test
    @Order(1)
    void theCamelTabListsTheServicesRoutes() {
        openRoutesList();
        Set<String> routes = service.context().getRoutes().stream().map(Route::getRouteId).collect(Collectors.toSet());
        assertThat(routes).contains(ROUTE, "intercom-webhook", "salesforce-poll");
        await().atMost(UI).untilAsserted(() -> assertThat(routeNamesShown()).containsExactlyInAnyOrderElementsOf(routes));
        screenshot("04-routes");
    }

    @Test
    @Order(2)
    void stoppingAndStartingARouteInHawtioStopsAndStartsItInTheService() {
        openRoutesList();
        assertThat(routeState()).isEqualTo("Started");

        selectRow(ROUTE);
        answeredWith200("stop()", By.xpath("//main//button[contains(@class, 'pf-m-danger') and contains(., 'Stop')]"));
        await().atMost(UI).untilAsserted(() -> assertThat(routeState()).isEqualTo("Stopped"));
        assertThat(service.context().getRouteController().getRouteStatus(ROUTE)).isEqualTo(ServiceStatus.Stopped);
        await().atMost(UI).untilAsserted(() -> assertThat(rowText(ROUTE)).contains("Stopped"));
        screenshot("05-route-stopped", row(ROUTE));

        selectRow(ROUTE);
        answeredWith200("start()", By.xpath("//main//button[contains(@class, 'pf-m-primary') and contains(., 'Start')]"));
        await().atMost(UI).untilAsserted(() -> assertThat(routeState()).isEqualTo("Started"));
        assertThat(service.context().getRouteController().getRouteStatus(ROUTE)).isEqualTo(ServiceStatus.Started);
        await().atMost(UI).untilAsserted(() -> assertThat(rowText(ROUTE)).contains("Started"));
        screenshot("06-route-started", row(ROUTE));
    }

    @Test
    @Order(3)
    void suspendingAndResumingARouteInItsOperationsTabChangesItsStateInTheService() {
        click(By.xpath("//nav//a[.='Camel']"));
        type(By.id("input-search"), ROUTE);
        click(By.xpath("//button[contains(@class, 'pf-v5-c-tree-view__node-text') and .='" + ROUTE + "']"));
        click(By.xpath("//main//a[.='Operations']"));

        execute("suspend()");
        await().atMost(UI).untilAsserted(() -> assertThat(routeState()).isEqualTo("Suspended"));
        assertThat(service.context().getRouteController().getRouteStatus(ROUTE)).isEqualTo(ServiceStatus.Suspended);
        screenshot("07-route-suspended", By.xpath(operationItem("suspend()")));

        execute("resume()");
        await().atMost(UI).untilAsserted(() -> assertThat(routeState()).isEqualTo("Started"));
        assertThat(service.context().getRouteController().getRouteStatus(ROUTE)).isEqualTo(ServiceStatus.Started);
    }

    /** Runs a no-argument operation from the Operations tab and waits for Hawtio to show its result. */
    private void execute(String operation) {
        String item = operationItem(operation);
        click(By.xpath(item + "//button[@aria-label='Details']"));
        answeredWith200(operation, By.xpath(item + "//button[.='Execute']"));
    }

    /** Clicks a button that makes Hawtio call an operation on the route, and checks what the service answered. */
    private void answeredWith200(String operation, By button) {
        long before = callsOf(operation).size();
        click(button);
        await().atMost(UI).until(() -> callsOf(operation).size() > before);
        Call call = callsOf(operation).get(callsOf(operation).size() - 1);
        assertThat(call.status()).as("Hawtio sent " + operation + " on " + call.mbean() + "; the service answered "
                + call.response()).isEqualTo(200);
    }

    private List<Call> callsOf(String operation) {
        return execCalls().stream().filter(c -> c.mbean().equals(ROUTE_MBEAN) && c.operation().equals(operation)).toList();
    }

    private static String operationItem(String operation) {
        return "//li[@aria-labelledby='operation " + operation + "']";
    }

    @Test
    @Order(4)
    void theJmxTabReadsTheServiceMBeansTier() {
        String tier = Http.post(service.managementUrl() + "/observe/jolokia",
                Http.json(Map.of("type", "read", "mbean", SERVICE_MBEAN, "attribute", "Tier"))).json().path("value").asText();
        assertThat(tier).isNotBlank();

        click(By.xpath("//nav//a[.='JMX']"));
        type(By.id("input-search"), "crmsync");
        click(By.cssSelector("li[id='io.github.crmsync-folder-service-folder-crmsync'] button.pf-v5-c-tree-view__node-text"));
        await().atMost(UI).untilAsserted(() -> assertThat(element(By.xpath("//main//tr[td[1][.='Tier']]/td[2]")).getText())
                .isEqualTo(tier));
        screenshot("08-jmx-tier");
    }

    @Test
    @Order(5)
    void anOperationThePolicyForbidsIsRefusedByTheService() {
        Path owned = temp.resolve("owned.txt");
        click(By.xpath("//nav//a[.='Camel']"));
        type(By.id("input-search"), "crmsync");
        click(By.cssSelector("li[id='org.apache.camel-folder-CamelContexts-folder-crmsync-folder'] > div button.pf-v5-c-tree-view__node-text"));
        click(By.xpath("//main//a[.='Operations']"));
        String operation = "sendBody(java.lang.String,java.lang.Object)";
        String item = operationItem(operation);
        click(By.xpath(item + "//button[@aria-label='Details']"));
        type(By.xpath(item + "//input[contains(@id, '-p1-0')]"), "file:" + temp + "?fileName=owned.txt");
        type(By.xpath(item + "//input[contains(@id, '-p2-1')]"), "owned");
        click(By.xpath(item + "//button[.='Execute']"));

        String forbidden = "Operation " + operation + " forbidden for MBean";
        await().atMost(UI).untilAsserted(() -> assertThat(element(By.xpath(item)).getText()).contains(forbidden));
        screenshot("09-send-body-forbidden", By.xpath(item + "//button[.='Execute']"));
        Call call = execCalls().stream().filter(c -> c.operation().equals(operation)).findFirst().orElseThrow();
        assertThat(call.status()).as(call.response()).isEqualTo(403);
        assertThat(call.response()).contains(forbidden);
        assertThat(owned).doesNotExist();
    }

    @Test
    @Order(6)
    void anotherSitesPageCannotReachTheServiceThroughHawtiosProxy() {
        String proxied = hawtio.url() + "/proxy/http/127.0.0.1/" + service.property("camel.management.port") + "/observe/jolokia";
        String read = Http.json(Map.of("type", "read", "mbean", SERVICE_MBEAN, "attribute", "Tier"));
        String login = "Basic " + Base64.getEncoder().encodeToString(
                (RunningService.OPERATOR_USER + ":" + RunningService.OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));

        // as Hawtio's own page sends it (its Jolokia client puts the login in X-Jolokia-Authorization)
        Http.Answer own = Http.withoutLogin().post(proxied, read, "Content-Type", "text/json", "Origin", hawtio.origin(),
                "Sec-Fetch-Site", "same-origin", "X-Jolokia-Authorization", login);
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        assertThat(own.json().path("status").asInt()).as(own.body()).isEqualTo(200);

        // another site's page, with the operator's login, through Hawtio's proxy: refused by the service
        for (String[] page : List.of(new String[] {"https://evil.example", "cross-site"},
                new String[] {hawtio.origin(), "cross-site"}, new String[] {"http://127.0.0.1:1", "same-site"})) {
            Http.Answer foreign = Http.withoutLogin().post(proxied, read, "Content-Type", "text/plain", "Origin", page[0],
                    "Sec-Fetch-Site", page[1], "X-Jolokia-Authorization", login);
            assertThat(foreign.status()).as(String.join(" ", page) + ": " + foreign.body()).isEqualTo(403);
            assertThat(foreign.body()).contains("another site's page").doesNotContain("Tier");
        }
    }

    // --- Hawtio's pages ------------------------------------------------------------------------------

    private void openRoutesList() {
        click(By.xpath("//nav//a[.='Camel']"));
        click(By.xpath("//button[contains(@class, 'pf-v5-c-tree-view__node-text') and .='routes']"));
        element(By.xpath("//main//td[@data-label='Name']"));
    }

    private List<String> routeNamesShown() {
        return driver.findElements(By.xpath("//main//td[@data-label='Name']")).stream().map(WebElement::getText).toList();
    }

    private static By row(String route) {
        return By.xpath("//main//tr[td[@data-label='Name'][.='" + route + "']]");
    }

    private String rowText(String route) {
        return element(row(route)).getText();
    }

    private void selectRow(String route) {
        By box = By.xpath("//main//tr[td[@data-label='Name'][.='" + route + "']]//input[@type='checkbox']");
        await().atMost(UI).ignoreExceptionsInstanceOf(WebDriverException.class).until(() -> {
            WebElement checkbox = driver.findElement(box);
            if (!checkbox.isSelected()) {
                checkbox.click();
            }
            return driver.findElement(box).isSelected();
        });
    }

    private WebElement element(By by) {
        return await().atMost(UI).ignoreExceptionsInstanceOf(WebDriverException.class)
                .until(() -> driver.findElement(by), WebElement::isDisplayed);
    }

    /** Clicks once the element is there and clickable (React re-renders; a click that threw did not happen). */
    private void click(By by) {
        await().atMost(UI).ignoreExceptionsInstanceOf(WebDriverException.class).until(() -> {
            driver.findElement(by).click();
            return true;
        });
    }

    /** Replaces a React input's value by typing, as a person would. */
    private void type(By by, String text) {
        WebElement input = element(by);
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        input.sendKeys(text);
        await().atMost(UI).until(() -> text.equals(driver.findElement(by).getAttribute("value")));
    }

    /** The window, scrolled to show an element first. */
    private void screenshot(String name, By shown) {
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})", element(shown));
        screenshot(name);
    }

    private void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // --- what Hawtio's page sent to Jolokia and what came back -------------------------------------------

    /**
     * Hawtio's Jolokia client calls fetch(); the page keeps each call through the proxy with its
     * answer, until the page is loaded anew.
     */
    private void recordJolokiaCalls() {
        ((JavascriptExecutor) driver).executeScript("""
                if (!window.crmsyncCalls) {
                  window.crmsyncCalls = [];
                  const original = window.fetch;
                  window.fetch = function (input, init) {
                    return original.apply(this, arguments).then(response => {
                      const url = String(input && input.url ? input.url : input);
                      if (url.includes('/proxy/')) {
                        const body = init && typeof init.body === 'string' ? init.body : '';
                        response.clone().text().then(text => window.crmsyncCalls.push(
                            {request: body, status: response.status, response: text}));
                      }
                      return response;
                    });
                  };
                }""");
    }

    private String recordedCalls() {
        return String.valueOf(((JavascriptExecutor) driver).executeScript("return JSON.stringify(window.crmsyncCalls || [])"));
    }

    record Call(String mbean, String operation, int status, String response) {
    }

    /** Each exec request Hawtio sent (bulk requests split), with the status the service answered for it. */
    private List<Call> execCalls() {
        List<Call> calls = new ArrayList<>();
        String recorded = recordedCalls();
        try {
            for (JsonNode call : JSON.readTree(recorded)) {
                if (!call.path("request").asText().contains("\"exec\"")) {
                    continue;
                }
                JsonNode requests = JSON.readTree(call.path("request").asText());
                JsonNode answers = JSON.readTree(call.path("response").asText());
                for (int i = 0; i < (requests.isArray() ? requests.size() : 1); i++) {
                    JsonNode request = requests.isArray() ? requests.get(i) : requests;
                    // an error before Jolokia (the login, the origin check) answers the whole call at once
                    JsonNode answer = answers.isArray() ? answers.get(i) : answers;
                    int status = answer.has("status") ? answer.path("status").asInt() : call.path("status").asInt();
                    if ("exec".equals(request.path("type").asText())) {
                        calls.add(new Call(request.path("mbean").asText(), request.path("operation").asText(), status,
                                answer.toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError("unreadable Jolokia calls: " + recorded, e);
        }
        return calls;
    }

    /** The route's state as the service reports it over Jolokia (with the operator login). */
    private String routeState() {
        JsonNode answer = Http.post(service.managementUrl() + "/observe/jolokia",
                Http.json(Map.of("type", "read", "mbean", ROUTE_MBEAN, "attribute", "State"))).json();
        return answer.path("value").asText(answer.toString());
    }
}
