package io.github.crmsync.security;

import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin login attacked: a stolen session cookie (cracked offline, used after logout, kept past
 * its idle time), the throttle dodged with made-up X-Forwarded-For headers, cross-site requests,
 * and query parameters posing as response headers. The last test spends the throttle: it runs last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoginAttacksEndToEndTest {

    @RegisterExtension
    static final WholeService whole = WholeService.sandbox().with("crmsync.admin.session-idle-timeout", "PT6S");
    private RunningService service;
    private String url;

    @BeforeAll
    void start() throws Exception {
        service = whole.service();
        url = service.serviceUrl();
    }

    @Test
    @Order(1)
    void aStolenCookieTellsNothingAboutThePassword() throws Exception {
        String cookie = login(RunningService.ADMIN_PASSWORD);
        String value = cookie.substring(cookie.indexOf('=') + 1);
        // the old cookie was <payload>.<HMAC keyed with HMAC(password, user)>: a dictionary found the password
        for (String guess : List.of("password", "admin", "secret", RunningService.ADMIN_PASSWORD)) {
            assertThat(signedWithPassword(value, RunningService.ADMIN_USER, guess)).as("cookie cracked with " + guess).isFalse();
        }
        assertThat(new String(Base64.getUrlDecoder().decode(value.substring(0, value.indexOf('.'))), StandardCharsets.ISO_8859_1))
                .doesNotContain(RunningService.ADMIN_USER + "|");
    }

    @Test
    @Order(2)
    void aCopiedCookieStopsWorkingAtLogout() {
        String cookie = login(RunningService.ADMIN_PASSWORD);
        assertThat(Http.withoutLogin().get(url + "/api/mappings", "Cookie", cookie).status()).isEqualTo(200);
        String copy = cookie;
        Http.Answer logout = Http.withoutLogin().post(url + "/logout", "", "Cookie", cookie,
                "Content-Type", "application/x-www-form-urlencoded");
        assertThat(logout.status()).isEqualTo(303);
        assertThat(Http.withoutLogin().get(url + "/api/mappings", "Cookie", copy).status())
                .as("the attacker's copy of the cookie after the admin logged out").isEqualTo(401);
    }

    @Test
    @Order(3)
    void aSessionLeftIdleEnds() {
        String cookie = login(RunningService.ADMIN_PASSWORD);
        assertThat(Http.withoutLogin().get(url + "/api/mappings", "Cookie", cookie).status()).isEqualTo(200);
        // each look is a use: look only after more than the idle time (6 s) has passed without one
        await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ofSeconds(7)).pollInterval(Duration.ofSeconds(7))
                .until(() -> idleCheck(cookie) == 401);
    }

    @Test
    @Order(4)
    void curlWithoutABodyNeedsNoContentTypeButAnotherSitesPageIsRefused() throws Exception {
        HttpRequest curl = HttpRequest.newBuilder(URI.create(url + "/api/event-sync/run"))
                .header("Authorization", SecurityEndToEndTest.basic(RunningService.ADMIN_USER, RunningService.ADMIN_PASSWORD))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(curl, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("curl -u admin:… -X POST: " + answer.body()).isEqualTo(200);

        String cookie = login(RunningService.ADMIN_PASSWORD);
        Http.Answer foreign = Http.withoutLogin().post(url + "/api/event-sync/run", "", "Cookie", cookie,
                "Origin", "https://evil.example");
        assertThat(foreign.status()).as(foreign.body()).isEqualTo(403);
        Http.Answer crossSite = Http.withoutLogin().post(url + "/api/event-sync/run", "", "Cookie", cookie,
                "Sec-Fetch-Site", "cross-site");
        assertThat(crossSite.status()).as(crossSite.body()).isEqualTo(403);
        Http.Answer form = Http.withoutLogin().post(url + "/api/event-sync/run", "x=1", "Cookie", cookie,
                "Content-Type", "application/x-www-form-urlencoded");
        assertThat(form.status()).as("a body that is not JSON").isEqualTo(415);
        Http.Answer own = Http.withoutLogin().post(url + "/api/event-sync/run", "", "Cookie", cookie,
                "Origin", url, "Sec-Fetch-Site", "same-origin");
        assertThat(own.status()).as("the page itself: " + own.body()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void queryParametersCannotSetResponseHeadersOrWhoIsLoggedIn() {
        Http.Answer mail = Http.get(url + "/sandbox/mail?Set-Cookie=owned%3D1");
        assertThat(mail.status()).isEqualTo(200);
        assertThat(mail.response().headers().allValues("Set-Cookie")).isEmpty();

        Http.Answer run = Http.post(url + "/api/bulk-sync?X-Crmsync-Admin-User=mallory", "");
        assertThat(run.status()).as(run.body()).isEqualTo(202);
        assertThat(run.json().path("startedBy").asText()).as(run.body()).isEqualTo(RunningService.ADMIN_USER);
    }

    @Test
    @Order(10)
    void madeUpForwardedForHeadersDoNotDodgeTheThrottle() {
        String wrong = SecurityEndToEndTest.basic(RunningService.ADMIN_USER, "guess");
        for (int i = 0; i < 10; i++) {
            assertThat(Http.get(url + "/api/mappings", "Authorization", wrong, "X-Forwarded-For", "203.0.113." + i).status())
                    .isEqualTo(401);
        }
        Http.Answer right = Http.get(url + "/api/mappings", "X-Forwarded-For", "198.51.100.77");
        assertThat(right.status()).as("the right password from a 'new' address right after ten failures").isEqualTo(429);
        Http.Answer form = Http.withoutLogin().post(url + "/login", Http.form(Map.of("username", "admin",
                "password", RunningService.ADMIN_PASSWORD)), "Content-Type", "application/x-www-form-urlencoded",
                "X-Forwarded-For", "198.51.100.78");
        assertThat(form.status()).isEqualTo(429);
    }

    private int idleCheck(String cookie) {
        return Http.withoutLogin().get(url + "/api/mappings", "Cookie", cookie).status();
    }

    private String login(String password) {
        Http.Answer login = Http.withoutLogin().post(url + "/login", Http.form(Map.of("username", RunningService.ADMIN_USER,
                "password", password)), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(login.status()).as(login.body()).isEqualTo(303);
        String setCookie = login.response().headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** Whether the cookie verifies under the key the old code derived from a password. */
    private static boolean signedWithPassword(String cookie, String user, String password) throws Exception {
        int dot = cookie.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        byte[] payload = Base64.getUrlDecoder().decode(cookie.substring(0, dot));
        byte[] signature = Base64.getUrlDecoder().decode(cookie.substring(dot + 1));
        byte[] key = hmac(password.getBytes(StandardCharsets.UTF_8), ("crmsync session key v1|" + user).getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(hmac(key, payload), signature);
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
