package io.github.crmsync.sandbox.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.sandbox.seed.SeedData;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Not a test: seeds 1,000,000 people, pages through one full "changed since" query over HTTP and
 * prints the heap used after GC. Run with e.g.
 * {@code java -Xmx300m -cp target/classes:target/test-classes:$(cat cp.txt) io.github.crmsync.sandbox.salesforce.SalesforceSimulatorMemoryCheck}.
 */
public final class SalesforceSimulatorMemoryCheck {

    private SalesforceSimulatorMemoryCheck() {
    }

    public static void main(String[] args) throws Exception {
        int people = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long t0 = System.nanoTime();
        try (SalesforceSimulator sim = new SalesforceSimulator(SalesforceSimulatorSettings.defaults().withPort(0),
                new SeedData(SeedData.DEFAULT_SEED, people))) {
            sim.start();
            System.out.printf("seeded %,d people in %.1f s; heap after GC: %.1f MB%n", people,
                    (System.nanoTime() - t0) / 1e9, usedMb());
            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            String form = "grant_type=password&client_id=" + SalesforceSimulator.SERVICE_CLIENT_ID + "&client_secret="
                    + SalesforceSimulator.SERVICE_CLIENT_SECRET + "&username="
                    + URLEncoder.encode(SalesforceSimulator.USERNAME, StandardCharsets.UTF_8) + "&password="
                    + SalesforceSimulator.PASSWORD;
            JsonNode token = json.readTree(http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/services/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString()).body());
            String bearer = "Bearer " + token.get("access_token").asText();
            String soql = "SELECT Id, Email, Plan__c, SystemModstamp FROM Contact WHERE SystemModstamp > 2026-01-01T00:00:00Z "
                    + "ORDER BY SystemModstamp, Id";
            String url = sim.baseUrl() + "/services/data/v60.0/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8);
            long t1 = System.nanoTime();
            long rows = 0;
            int pages = 0;
            long total = -1;
            double peakAfterFirstPage = 0;
            while (url != null) {
                JsonNode page = json.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", bearer)
                        .build(), HttpResponse.BodyHandlers.ofString()).body());
                if (total < 0) {
                    total = page.get("totalSize").asLong();
                    peakAfterFirstPage = usedMb();
                }
                rows += page.get("records").size();
                pages++;
                url = page.get("done").asBoolean() ? null : sim.baseUrl() + page.get("nextRecordsUrl").asText();
            }
            System.out.printf("query: totalSize %,d, %,d rows in %d pages in %.1f s; heap after GC with the open cursor: %.1f MB%n",
                    total, rows, pages, (System.nanoTime() - t1) / 1e9, peakAfterFirstPage);
            System.out.printf("heap after GC at the end: %.1f MB%n", usedMb());
        }
    }

    private static double usedMb() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
    }
}
