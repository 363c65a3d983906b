package dev.claws.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.InferenceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The serving meters, as Prometheus scrapes them, follow the requests that were served, tagged by variant. */
@QuarkusTest
class ServingMetricsTest {

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void requestsMoveTheVariantsMeters() throws Exception {
        String before = scrape();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", Integer.parseInt(ConfigProvider
                .getConfig().getValue("quarkus.grpc.server.test-port", String.class))).usePlaintext().build();
        GenerateResponse r;
        try {
            r = InferenceGrpc.newBlockingStub(channel).generate(GenerateRequest.newBuilder()
                    .setPrompt("The history of the city begins").setMaxNewTokens(12).build());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        String after = scrape();
        int generated = r.getTiming().getGeneratedTokens();
        String tiny = "variant=\"claws-tiny\"";

        assertEquals(value(before, "claws_serve_tokens_generated_total", tiny) + generated,
                value(after, "claws_serve_tokens_generated_total", tiny));
        assertEquals(value(before, "claws_serve_request_latency_seconds_count", "rpc=\"Generate\"", tiny) + 1,
                value(after, "claws_serve_request_latency_seconds_count", "rpc=\"Generate\"", tiny));
        assertEquals(value(before, "claws_serve_time_to_first_token_seconds_count", tiny) + 1,
                value(after, "claws_serve_time_to_first_token_seconds_count", tiny));
        assertEquals(value(before, "claws_serve_token_latency_seconds_count", tiny) + generated - 1,
                value(after, "claws_serve_token_latency_seconds_count", tiny));
        assertTrue(after.lines().anyMatch(l -> l.startsWith("claws_serve_request_latency_seconds_bucket{")
                && l.contains(tiny) && l.contains("le=")), "latency is a histogram");
        assertTrue(after.lines().anyMatch(l -> l.startsWith("claws_serve_token_latency_seconds_bucket{")
                && l.contains(tiny)), "per-token latency is a histogram");
        assertEquals(0, value(after, "claws_serve_queue_depth", tiny));
        double latencySum = value(after, "claws_serve_request_latency_seconds_sum", "rpc=\"Generate\"", tiny)
                - value(before, "claws_serve_request_latency_seconds_sum", "rpc=\"Generate\"", tiny);
        assertEquals(r.getTiming().getTotalMs() / 1000, latencySum, 0.05, "the meter saw the reported total time");
    }

    private String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics.toString())).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the series with that name carrying all the given labels; 0 when absent. */
    private static double value(String scrape, String name, String... labels) {
        return scrape.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> java.util.Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElse(0);
    }
}
