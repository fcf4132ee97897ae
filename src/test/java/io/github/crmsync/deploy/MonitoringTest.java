package io.github.crmsync.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/monitoring checked by Prometheus's own tool (Debian's prometheus package; .ci/run installs
 * it): the alert rules load, behave as their unit tests say, and every dashboard query is valid
 * PromQL. That the metrics they use are the ones the service exports is checked against a live
 * scrape by MetricsAndHealthEndToEndTest.
 */
class MonitoringTest {

    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @TempDir
    Path temp;

    @Test
    void theAlertRulesLoadAndPassTheirUnitTests() throws Exception {
        assertThat(promtool("check", "rules", MonitoringQueries.RULES.toString()).succeeded()).isTrue();
        Result tests = promtool("test", "rules", MonitoringQueries.RULE_TESTS.toString());
        assertThat(tests.succeeded()).as(tests.output()).isTrue();
        assertThat(tests.output()).contains("SUCCESS");
    }

    @Test
    void everyDashboardQueryIsValidPromQl() throws Exception {
        Map<String, String> queries = MonitoringQueries.dashboardQueries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(10);
        Result check = promtool("check", "rules", recordingRules(queries).toString());
        assertThat(check.succeeded()).as(check.output()).isTrue();
        assertThat(check.output()).contains("SUCCESS: " + queries.size() + " rules found");
    }

    @Test
    void promtoolRefusesABrokenRuleAQueryWithASyntaxErrorAndAnAlertThatDoesNotFire() throws Exception {
        String rules = Files.readString(MonitoringQueries.RULES);
        Path unbalanced = Files.writeString(temp.resolve("unbalanced.yaml"),
                rules.replace("expr: max(crmsync_salesforce_api_tier) >= 2", "expr: max(crmsync_salesforce_api_tier >= 2"));
        assertThat(promtool("check", "rules", unbalanced.toString()).output()).contains("unclosed left parenthesis");

        Path badQuery = recordingRules(Map.of("broken / A", "sum by (direction (rate(crmsync_records_synced_total[5m]))"));
        assertThat(promtool("check", "rules", badQuery.toString()).succeeded()).isFalse();

        // the same unit tests against rules whose tier threshold is wrong: the expected alert is missing
        Files.writeString(temp.resolve("crmsync-rules.yaml"), rules.replace("max(crmsync_salesforce_api_tier) >= 2",
                "max(crmsync_salesforce_api_tier) >= 3"));
        Path tests = Files.copy(MonitoringQueries.RULE_TESTS, temp.resolve("crmsync-rules.test.yaml"));
        Result failing = promtool("test", "rules", tests.toString());
        assertThat(failing.succeeded()).isFalse();
        assertThat(failing.output()).contains("alertname: CrmsyncApiBudgetInboxOnly");
    }

    /** The queries as recording rules, so that promtool parses each ($__rate_interval as Grafana fills it). */
    private Path recordingRules(Map<String, String> queries) throws IOException {
        List<String> lines = new ArrayList<>(List.of("groups:", "  - name: dashboard", "    rules:"));
        int n = 0;
        for (String query : queries.values()) {
            lines.add("      - record: dashboard:query_" + n++);
            lines.add("        expr: '" + query.replace("$__rate_interval", "5m").replace("'", "''") + "'");
        }
        return Files.write(temp.resolve("dashboard-queries-" + System.nanoTime() + ".yaml"), lines);
    }

    record Result(int exitCode, String output) {
        boolean succeeded() {
            return exitCode == 0;
        }
    }

    private static Result promtool(String... arguments) throws Exception {
        assertThat(PROMTOOL).as("promtool: install Debian's prometheus package (.ci/run does)").isExecutable();
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
