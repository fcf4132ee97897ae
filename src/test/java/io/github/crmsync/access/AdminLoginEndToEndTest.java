package io.github.crmsync.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crmsync.testing.Http;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The login in front of the admin API, the page and the sandbox helpers, as a browser and an API
 * client meet it; the webhook and canvas endpoints keep their signature checks, probes stay open.
 */
class AdminLoginEndToEndTest {

    /** A sandbox started without an admin password in its settings: it generates one at first start. */
    @Nested
    class GeneratedLogin {

        @RegisterExtension
        static final WholeService whole = WholeService.sandbox().without("crmsync.admin.password");

        @Test
        void adminApiPageAndSandboxMailNeedTheLoginWhichTheSandboxGeneratesAtFirstStart() throws Exception {
            RunningService service = whole.service();
            String url = service.serviceUrl();
            Path stored = whole.sandboxDataDirectory().resolve("admin-password");
            assertThat(stored).as("the sandbox keeps its generated password in its data directory").exists();
            String password = Files.readString(stored).trim();
            assertThat(password).hasSizeGreaterThanOrEqualTo(20);
            String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
            String wrong = "Basic " + Base64.getEncoder().encodeToString("admin:guess".getBytes(StandardCharsets.UTF_8));

            for (String path : List.of("/api/mappings", "/api/sync-errors", "/api/salesforce-usage", "/sandbox/mail")) {
                Http.Answer anonymous = Http.withoutLogin().get(url + path);
                assertThat(anonymous.status()).as(path).isEqualTo(401);
                assertThat(anonymous.json().path("error").asText()).isEqualTo("Authentication required");
                assertThat(anonymous.response().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                        v -> assertThat(v).startsWith("Basic realm="));
                assertThat(Http.withoutLogin().get(url + path, "Authorization", wrong).status()).isEqualTo(401);
                assertThat(Http.withoutLogin().get(url + path, "Authorization", basic).status()).as(path).isEqualTo(200);
            }
            JsonNode schemas = Http.withoutLogin().get(url + "/api/schemas", "Authorization", basic).json();
            JsonNode name = field(schemas.path("salesforce").path("CONTACT"), "Name");
            assertThat(name.path("updateable").asBoolean()).as("Name is read-only in the describe").isFalse();
            assertThat(field(schemas.path("salesforce").path("LEAD"), "Plan__c").path("picklistValues").toString())
                    .contains("Free", "Enterprise");
            assertThat(field(schemas.path("salesforce").path("LEAD"), "Nickname__c").path("length").asInt()).isEqualTo(40);
            assertThat(field(schemas.path("intercom"), "custom_attributes.notes").path("apiWritable").asBoolean()).isTrue();
            assertThat(field(schemas.path("intercom"), "id").path("apiWritable").asBoolean()).isFalse();

            Http.Answer fromThePage = Http.withoutLogin().get(url + "/api/mappings", "X-Requested-With", "fetch");
            assertThat(fromThePage.status()).isEqualTo(401);
            assertThat(fromThePage.response().headers().firstValue("WWW-Authenticate"))
                    .as("no Basic challenge (a browser dialog) for the page's own calls").isEmpty();
            assertThat(Http.withoutLogin().post(url + "/api/event-sync/run", "").status()).isEqualTo(401);

            for (String path : List.of("/", "/index.html", "/app.js", "/anything-else")) {
                Http.Answer page = Http.withoutLogin().get(url + path);
                assertThat(page.status()).as(path).isEqualTo(401);
                assertThat(page.response().headers().firstValue("Content-Type")).hasValueSatisfying(
                        v -> assertThat(v).startsWith("text/html"));
                assertThat(page.body()).contains("action=\"/login\"", "name=\"password\"");
            }
            assertThat(Http.withoutLogin().get(url + "/login").status()).isEqualTo(200);

            Http.Answer refused = Http.withoutLogin().post(url + "/login", Http.form(Map.of("username", "admin",
                    "password", "guess")), "Content-Type", "application/x-www-form-urlencoded");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.body()).contains("The user name or password is wrong.").doesNotContain("guess");
            assertThat(refused.response().headers().firstValue("Set-Cookie")).isEmpty();

            Http.Answer login = Http.withoutLogin().post(url + "/login", Http.form(Map.of("username", "admin",
                    "password", password)), "Content-Type", "application/x-www-form-urlencoded");
            assertThat(login.status()).isEqualTo(303);
            assertThat(login.response().headers().firstValue("Location")).hasValue("/");
            String setCookie = login.response().headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).startsWith("crmsync_session=").contains("HttpOnly", "SameSite=Strict", "Path=/")
                    .doesNotContain(password);
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));

            Http.Answer page = Http.withoutLogin().get(url + "/", "Cookie", cookie);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("<script src=\"/app.js\"");
            assertThat(Http.withoutLogin().get(url + "/app.js", "Cookie", cookie).status()).isEqualTo(200);
            assertThat(Http.withoutLogin().get(url + "/api/mappings", "Cookie", cookie).status()).isEqualTo(200);
            assertThat(Http.withoutLogin().get(url + "/api/mappings", "Cookie", cookie + "x").status())
                    .as("a tampered session").isEqualTo(401);

            Http.Answer formPost = Http.withoutLogin().post(url + "/api/event-sync/run", "x=1", "Cookie", cookie,
                    "Content-Type", "application/x-www-form-urlencoded");
            assertThat(formPost.status()).as("a cross-site form cannot change anything").isEqualTo(415);
            assertThat(formPost.json().path("error").asText()).contains("application/json");

            Http.Answer logout = Http.withoutLogin().post(url + "/logout", "", "Cookie", cookie,
                    "Content-Type", "application/x-www-form-urlencoded");
            assertThat(logout.status()).isEqualTo(303);
            assertThat(logout.response().headers().firstValue("Set-Cookie")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("crmsync_session=;").contains("Max-Age=0"));
            Http.Answer foreignLogin = Http.withoutLogin().post(url + "/login", Http.form(Map.of("username", "admin",
                    "password", password)), "Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example");
            assertThat(foreignLogin.status()).as("a login form posted from another site").isEqualTo(403);

            Http.Answer webhook = Http.withoutLogin().post(url + "/intercom/webhooks", "{}");
            assertThat(webhook.status()).as("the webhook answers its own signature check").isEqualTo(401);
            assertThat(webhook.body()).doesNotContain("Authentication required");
            assertThat(Http.withoutLogin().post(url + "/intercom/canvas/initialize", "{}").status()).isEqualTo(401);
            assertThat(Http.withoutLogin().get(service.managementUrl() + "/observe/health").status())
                    .as("probes need no login").isEqualTo(200);

            for (Http.Answer answer : List.of(Http.withoutLogin().get(url + "/api/mappings", "Authorization", basic),
                    page, webhook, refused)) {
                var headers = answer.response().headers();
                assertThat(headers.firstValue("Content-Security-Policy")).hasValueSatisfying(
                        v -> assertThat(v).contains("script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline"));
                assertThat(headers.firstValue("X-Content-Type-Options")).hasValue("nosniff");
                assertThat(headers.firstValue("X-Frame-Options")).hasValue("DENY");
                assertThat(headers.firstValue("Referrer-Policy")).hasValue("same-origin");
                assertThat(headers.firstValue("Cache-Control")).hasValue("no-store");
                assertThat(headers.firstValue("Authorization")).isEmpty();
            }
        }
    }

    /** Behind a load balancer on 127.0.0.1 (the test plays it), which says for whom it forwards. */
    @Nested
    class LoginThrottle {

        @RegisterExtension
        static final WholeService whole = WholeService.sandbox().with("crmsync.http.trusted-proxies", "127.0.0.1");

        @Test
        void repeatedWrongPasswordsFromOneClientAreRefusedForAWhile() throws Exception {
            RunningService service = whole.service();
            String url = service.serviceUrl() + "/api/mappings";
            String wrong = "Basic " + Base64.getEncoder().encodeToString("admin:guess".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 10; i++) {
                assertThat(Http.get(url, "Authorization", wrong, "X-Forwarded-For", "203.0.113.7").status()).isEqualTo(401);
            }
            Http.Answer blocked = Http.get(url, "X-Forwarded-For", "203.0.113.7");
            assertThat(blocked.status()).as("even the right password waits now").isEqualTo(429);
            assertThat(blocked.json().path("error").asText()).startsWith("Too many failed logins");
            assertThat(blocked.response().headers().firstValue("Retry-After")).isPresent();
            assertThat(Http.get(url, "X-Forwarded-For", "198.51.100.2").status()).as("another client").isEqualTo(200);
        }
    }

    private static JsonNode field(JsonNode list, String name) {
        for (JsonNode f : list) {
            if (f.path("name").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError(name + " is not in " + list);
    }
}
