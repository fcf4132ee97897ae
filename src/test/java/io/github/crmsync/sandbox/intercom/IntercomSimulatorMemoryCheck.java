package io.github.crmsync.sandbox.intercom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.sandbox.seed.SeedData;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Not a test: seeds 1,000,000 people (or the number given), lists a few pages, searches once by
 * {@code updated_at} through HTTP, and prints the heap in use after a GC. Run with e.g. {@code -Xmx300m}.
 */
public final class IntercomSimulatorMemoryCheck {

    private IntercomSimulatorMemoryCheck() {
    }

    public static void main(String[] args) throws Exception {
        int people = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        ObjectMapper mapper = new ObjectMapper();
        long t0 = System.nanoTime();
        try (IntercomSimulator simulator = new IntercomSimulator(IntercomSimulatorSettings.defaults().withPort(0),
                new SeedData(SeedData.DEFAULT_SEED, people))) {
            simulator.start();
            System.out.printf("seeded %,d people in %.1f s%n", people, (System.nanoTime() - t0) / 1e9);
            HttpClient http = HttpClient.newHttpClient();
            String cursor = null;
            long t1 = System.nanoTime();
            for (int page = 1; page <= 5; page++) {
                JsonNode list = mapper.readTree(http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl()
                                + "/contacts?per_page=150" + (cursor == null ? "" : "&starting_after=" + cursor)))
                        .header("Authorization", "Bearer sandbox-token").build(), HttpResponse.BodyHandlers.ofString()).body());
                cursor = list.path("pages").path("next").path("starting_after").asText();
                System.out.printf("list page %d: %d contacts of %,d%n", page, list.path("data").size(), list.path("total_count").asLong());
            }
            System.out.printf("listing took %.2f s%n", (System.nanoTime() - t1) / 1e9);
            long t2 = System.nanoTime();
            String query = "{\"query\":{\"field\":\"updated_at\",\"operator\":\">\",\"value\":1790000000},\"pagination\":{\"per_page\":150}}";
            JsonNode found = mapper.readTree(http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/contacts/search"))
                    .header("Authorization", "Bearer sandbox-token").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(query)).build(), HttpResponse.BodyHandlers.ofString()).body());
            System.out.printf("search updated_at > 1790000000: %,d matches, first page %d, took %.2f s%n",
                    found.path("total_count").asLong(), found.path("data").size(), (System.nanoTime() - t2) / 1e9);
            long t3 = System.nanoTime();
            String email = "{\"query\":{\"field\":\"email\",\"operator\":\"=\",\"value\":\"NOBODY@example.com\"}}";
            JsonNode byEmail = mapper.readTree(http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/contacts/search"))
                    .header("Authorization", "Bearer sandbox-token").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(email)).build(), HttpResponse.BodyHandlers.ofString()).body());
            System.out.printf("search by e-mail: %d matches, took %.3f s%n", byEmail.path("total_count").asLong(), (System.nanoTime() - t3) / 1e9);
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(200);
            }
            Runtime rt = Runtime.getRuntime();
            long used = rt.totalMemory() - rt.freeMemory();
            System.out.printf("heap used after GC: %.1f MB (max heap %.0f MB)%n", used / 1048576.0, rt.maxMemory() / 1048576.0);
        }
    }
}
