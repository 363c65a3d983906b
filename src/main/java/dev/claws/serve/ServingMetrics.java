package dev.claws.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Micrometer meters of the serving path, every one tagged with the variant: request latency, time to first token and
 * per-token latency as histograms, generated tokens, queue depth and rejected requests (Prometheus: /q/metrics,
 * names claws_serve_*).
 */
@ApplicationScoped
public class ServingMetrics {

    static final String REQUEST_LATENCY = "claws.serve.request.latency";
    static final String TIME_TO_FIRST_TOKEN = "claws.serve.time.to.first.token";
    static final String TOKEN_LATENCY = "claws.serve.token.latency";
    static final String TOKENS_GENERATED = "claws.serve.tokens.generated";
    static final String QUEUE_DEPTH = "claws.serve.queue.depth";
    static final String REJECTED = "claws.serve.requests.rejected";

    private final MeterRegistry registry;
    private final Map<String, Gauge> queueGauges = new ConcurrentHashMap<>();

    @Inject
    public ServingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A finished request of {@code rpc} (Generate, GenerateStream, Score), from arrival to result. */
    void request(String variant, String rpc, long nanos) {
        Timer.builder(REQUEST_LATENCY).description("Served requests, from arrival to result")
                .tags("variant", variant, "rpc", rpc).publishPercentileHistogram().register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void timeToFirstToken(String variant, long nanos) {
        Timer.builder(TIME_TO_FIRST_TOKEN).description("From the start of work to the first generated token")
                .tags("variant", variant).publishPercentileHistogram().register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Time from one generated token to the next. */
    Timer tokenLatency(String variant) {
        return Timer.builder(TOKEN_LATENCY).description("Time between consecutive generated tokens")
                .tags("variant", variant).publishPercentileHistogram().register(registry);
    }

    void tokensGenerated(String variant, int tokens) {
        Counter.builder(TOKENS_GENERATED).description("Tokens generated").tags("variant", variant)
                .register(registry).increment(tokens);
    }

    void rejected(String variant, String reason) {
        Counter.builder(REJECTED).description("Requests refused because the variant's queue was full")
                .tags("variant", variant, "reason", reason).register(registry).increment();
    }

    void watchQueue(String variant, Supplier<Number> depth) {
        queueGauges.computeIfAbsent(variant, v -> Gauge.builder(QUEUE_DEPTH, depth)
                .description("Requests waiting in the variant's queue").tags("variant", v).register(registry));
    }

    void unwatchQueue(String variant) {
        Gauge gauge = queueGauges.remove(variant);
        if (gauge != null) {
            registry.remove(gauge);
        }
    }
}
