package dev.claws.api;

import dev.claws.api.v1.ContinuationScore;
import dev.claws.api.v1.FinishReason;
import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.GenerateStreamResponse;
import dev.claws.api.v1.InferenceGrpc;
import dev.claws.api.v1.ScoreRequest;
import dev.claws.api.v1.ScoreResponse;
import dev.claws.api.v1.Timing;
import dev.claws.eval.TokenizedRequest;
import dev.claws.serve.RequestTiming;
import dev.claws.serve.ResidentVariant;
import dev.claws.serve.ServedGeneration;
import dev.claws.serve.ServedScores;
import dev.claws.serve.StreamSink;
import dev.claws.serve.VariantRegistry;
import io.grpc.Context;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;
import dev.claws.model.StopReason;

/**
 * The Inference service: validates a request, resolves its variant and hands it to that variant's queue in the
 * serving layer. The answer is sent from the variant's worker when the work ends; a cancelled or expired call stops
 * decoding at its next token and leaves the queue at once if it was still waiting.
 */
@GrpcService
public class InferenceService extends InferenceGrpc.InferenceImplBase {

    private static final Logger LOG = Logger.getLogger(InferenceService.class);

    @Inject
    VariantRegistry registry;

    @Override
    public ServerServiceDefinition bindService() {
        return MalformedRequests.guard(super.bindService());
    }

    @Override
    @Blocking
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> observer) {
        long arrival = System.nanoTime();
        Context context = Context.current();
        answer(observer, () -> {
            InferenceValidation.PreparedGeneration p = prepare(request);
            CallCancellation cancel = CallCancellation.watch(context, observer);
            CompletableFuture<ServedGeneration> result = p.variant().generate(p.generation(), StreamSink.NONE,
                    cancel, arrival, "Generate");
            finish(context, observer, cancel.attach(result), (served, out) -> {
                out.onNext(GenerateResponse.newBuilder()
                        .setVariant(served.variant())
                        .setText(served.text())
                        .addAllTokenIds(ids(served.tokenIds()))
                        .setFinishReason(finishReason(served.finishReason()))
                        .setTiming(timing(served.timing()))
                        .setSeed(p.seed())
                        .build());
                out.onCompleted();
            });
        });
    }

    @Override
    @Blocking
    public void generateStream(GenerateRequest request, StreamObserver<GenerateStreamResponse> observer) {
        long arrival = System.nanoTime();
        Context context = Context.current();
        answer(observer, () -> {
            InferenceValidation.PreparedGeneration p = prepare(request);
            String name = p.variant().name();
            StreamSink sink = (text, tokenIds) -> observer.onNext(GenerateStreamResponse.newBuilder()
                    .setVariant(name).setTextDelta(text).addAllTokenIds(ids(tokenIds)).build());
            CallCancellation cancel = CallCancellation.watch(context, observer);
            CompletableFuture<ServedGeneration> result = p.variant().generate(p.generation(), sink, cancel, arrival,
                    "GenerateStream");
            finish(context, observer, cancel.attach(result), (served, out) -> {
                out.onNext(GenerateStreamResponse.newBuilder()
                        .setVariant(name)
                        .addAllTokenIds(ids(served.trailingTokenIds()))
                        .setDone(true)
                        .setFinishReason(finishReason(served.finishReason()))
                        .setTiming(timing(served.timing()))
                        .setSeed(p.seed())
                        .build());
                out.onCompleted();
            });
        });
    }

    @Override
    @Blocking
    public void score(ScoreRequest request, StreamObserver<ScoreResponse> observer) {
        long arrival = System.nanoTime();
        Context context = Context.current();
        answer(observer, () -> {
            InferenceValidation.checkScore(request);
            ResidentVariant variant = variant(request.getVariant());
            List<TokenizedRequest> requests = variant.scoreRequests(request.getContext(),
                    request.getContinuationsList(), InferenceValidation.parseSpecialTokens(
                            request.hasParseSpecialTokens(), request.getParseSpecialTokens()));
            InferenceValidation.checkScoreLengths(requests, variant);
            CallCancellation cancel = CallCancellation.watch(context, observer);
            CompletableFuture<ServedScores> result = variant.score(requests, cancel, arrival);
            finish(context, observer, cancel.attach(result), (served, out) -> {
                ScoreResponse.Builder response = ScoreResponse.newBuilder()
                        .setVariant(served.variant())
                        .setTiming(timing(served.timing()));
                for (ServedScores.Score s : served.scores()) {
                    response.addScores(ContinuationScore.newBuilder()
                            .setLogLikelihood(s.logLikelihood())
                            .setTokenCount(s.tokenCount())
                            .setIsGreedy(s.greedy()));
                }
                out.onNext(response.build());
                out.onCompleted();
            });
        });
    }

    private InferenceValidation.PreparedGeneration prepare(GenerateRequest request) {
        return InferenceValidation.prepare(InferenceValidation.input(request), registry);
    }

    private ResidentVariant variant(String requested) {
        String name = InferenceValidation.variantName(requested, registry.defaultVariant());
        return registry.require(name);
    }

    /** Runs the synchronous part of a call; a failure there is answered at once. */
    private static void answer(StreamObserver<?> observer, Runnable body) {
        try {
            body.run();
        } catch (RuntimeException e) {
            ErrorStatus.reply(observer, e);
        }
    }

    /**
     * Sends the outcome when the work ends. A cancelled call gets nothing more (its status is already on its way).
     */
    private static <T, R> void finish(Context context, StreamObserver<R> observer, CompletableFuture<T> result,
                                      BiConsumer<T, StreamObserver<R>> respond) {
        result.whenComplete((value, error) -> {
            if (context.isCancelled()) {
                return;
            }
            try {
                if (error != null) {
                    ErrorStatus.reply(observer, error);
                } else {
                    respond.accept(value, observer);
                }
            } catch (RuntimeException e) {
                LOG.debugf(e, "could not answer a call that ended meanwhile");
            }
        });
    }

    private static Iterable<Integer> ids(long[] tokenIds) {
        Integer[] out = new Integer[tokenIds.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) tokenIds[i];
        }
        return List.of(out);
    }

    static FinishReason finishReason(StopReason reason) {
        return switch (reason) {
            case LENGTH -> FinishReason.FINISH_REASON_LENGTH;
            case STOP_TOKEN -> FinishReason.FINISH_REASON_END_OF_SEQUENCE;
            case STOP_SEQUENCE -> FinishReason.FINISH_REASON_STOP_SEQUENCE;
            case CANCELLED -> FinishReason.FINISH_REASON_UNSPECIFIED;
        };
    }

    static Timing timing(RequestTiming t) {
        return Timing.newBuilder()
                .setQueueMs(t.queueMs())
                .setPrefillMs(t.prefillMs())
                .setDecodeMs(t.decodeMs())
                .setTotalMs(t.totalMs())
                .setTokensPerSecond(t.tokensPerSecond())
                .setPromptTokens(t.promptTokens())
                .setGeneratedTokens(t.generatedTokens())
                .build();
    }
}
