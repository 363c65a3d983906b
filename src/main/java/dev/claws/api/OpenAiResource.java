package dev.claws.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claws.model.PromptLogProbs;
import dev.claws.serve.RequestTiming;
import dev.claws.serve.ResidentVariant;
import dev.claws.serve.ServedGeneration;
import dev.claws.serve.ServedPromptScores;
import dev.claws.serve.StreamSink;
import dev.claws.serve.VariantRegistry;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import dev.claws.model.StopReason;

/**
 * The OpenAI-compatible HTTP API on the HTTP port: a second door to the same inference as the gRPC Inference service.
 * Bodies are read into the same {@link GenerationInput}, checked by the same {@link InferenceValidation}, run on the
 * variant's queue, and failures answered through the same error mapping ({@link OpenAiErrors}).
 *
 * <p>Every generation answer carries claws's accounting in the extra field {@code "claws"} ({@code variant},
 * {@code seed}, {@code finish_reason} as the contract names it, {@code timing} with queue_ms,
 * time_to_first_token_ms, decode_ms, total_ms, tokens_per_second, prompt_tokens, generated_tokens) and, for answers
 * that are not streamed, in the response headers {@code X-Claws-*}. A stream carries it in its last event.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class OpenAiResource {

    static final String DONE = "[DONE]";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    VariantRegistry registry;

    @Inject
    VariantRepository variants;

    @Inject
    VariantRemoval removal;

    @Inject
    AdminTokenInterceptor adminToken;

    /** Every loaded variant, with its base, compression method, ratio and RFT size D. */
    @GET
    @Path("/models")
    public Response models() {
        try {
            ArrayNode data = JSON.createArrayNode();
            for (String name : registry.residentNames()) {
                row(name).ifPresent(row -> data.add(model(row)));
            }
            ObjectNode list = JSON.createObjectNode();
            list.put("object", "list");
            list.set("data", data);
            return json(list);
        } catch (RuntimeException e) {
            return OpenAiErrors.response(e);
        }
    }

    /** One loaded variant; 404 when it is not registered or not loaded. */
    @GET
    @Path("/models/{model}")
    public Response model(@PathParam("model") String model) {
        try {
            String name = Validation.variantName("model", model);
            if (registry.resident(name).isEmpty()) {
                throw ErrorStatus.notFound("model '" + name + "' is not loaded (GET /v1/models lists the loaded ones)");
            }
            return json(model(row(name).orElseThrow(() -> ErrorStatus.notFound("model '" + name + "' does not exist"))));
        } catch (RuntimeException e) {
            return OpenAiErrors.response(e);
        }
    }

    /**
     * Deletes a variant as Variants/DeleteVariant does (it must be unloaded); needs the admin token when one is
     * configured ({@code Authorization: Bearer <claws.admin-token>}, else 401).
     */
    @DELETE
    @Path("/models/{model}")
    public Response delete(@PathParam("model") String model, @HeaderParam("Authorization") String authorization) {
        try {
            String refusal = adminToken.refusal(authorization);
            if (refusal != null) {
                throw ErrorStatus.unauthenticated(refusal);
            }
            String name = Validation.variantName("model", model);
            registry.whileUnloaded(name, () -> removal.delete(name));
            ObjectNode deleted = JSON.createObjectNode();
            deleted.put("id", name);
            deleted.put("object", "model");
            deleted.put("deleted", true);
            return json(deleted);
        } catch (RuntimeException e) {
            return OpenAiErrors.response(e);
        }
    }

    /**
     * Text completion. With {@code echo: true} and max_tokens 0 or 1 the prompts are scored instead (the way
     * lm-evaluation-harness's local-completions model asks for log-likelihoods): {@code logprobs} then holds every
     * prompt token's log-probability (the first is null) and the top alternatives, and with max_tokens 1 the greedy
     * next token follows.
     */
    @POST
    @Path("/completions")
    @Consumes(MediaType.WILDCARD)
    @Blocking
    public CompletionStage<Response> completions(String body) {
        long arrival = System.nanoTime();
        try {
            OpenAiRequests.Completion request = OpenAiRequests.completion(OpenAiRequests.body(body));
            if (request.scoresPrompt()) {
                return scorePrompts(request, arrival);
            }
            InferenceValidation.PreparedGeneration p = InferenceValidation.prepare(request.generation(), registry);
            Answer answer = new Answer("cmpl-", "text_completion", p);
            if (request.stream()) {
                return CompletableFuture.completedFuture(answer.stream(arrival, false));
            }
            return answer.generate(arrival, "OpenAI/completions").handle((served, error) -> error != null
                    ? OpenAiErrors.response(error) : answer.completion(served));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(OpenAiErrors.response(e));
        }
    }

    /** Chat completion: the messages rendered with the variant's chat template, the reply generated. */
    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.WILDCARD)
    @Blocking
    public CompletionStage<Response> chatCompletions(String body) {
        long arrival = System.nanoTime();
        try {
            OpenAiRequests.Chat request = OpenAiRequests.chat(OpenAiRequests.body(body));
            InferenceValidation.PreparedGeneration p = InferenceValidation.prepare(request.generation(), registry);
            Answer answer = new Answer("chatcmpl-", "chat.completion", p);
            if (request.stream()) {
                return CompletableFuture.completedFuture(answer.stream(arrival, true));
            }
            return answer.generate(arrival, "OpenAI/chat").handle((served, error) -> error != null
                    ? OpenAiErrors.response(error) : answer.chatCompletion(served));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(OpenAiErrors.response(e));
        }
    }

    private CompletionStage<Response> scorePrompts(OpenAiRequests.Completion request, long arrival) {
        String name = request.generation().variant();
        ResidentVariant variant = registry.require(name);
        List<long[]> prompts = InferenceValidation.scoredPrompts(request.prompts(), variant);
        int alternatives = request.logprobs() == null ? 0 : request.logprobs();
        return variant.scorePrompts(prompts, Math.max(1, alternatives), () -> false, arrival)
                .handle((served, error) -> error != null ? OpenAiErrors.response(error)
                        : scored(served, variant, request.maxTokens(), request.logprobs()));
    }

    /** The answer to a scoring request: per prompt its text, log-probabilities, and the greedy next token if asked. */
    private static Response scored(ServedPromptScores served, ResidentVariant variant, int maxTokens,
                                   Integer logprobs) {
        ObjectNode body = envelope("cmpl-", "text_completion", served.variant());
        ArrayNode choices = body.putArray("choices");
        int promptTokens = 0;
        for (int i = 0; i < served.prompts().size(); i++) {
            ServedPromptScores.Prompt prompt = served.prompts().get(i);
            long[] ids = prompt.tokenIds();
            PromptLogProbs lp = prompt.logProbs();
            promptTokens += ids.length;
            int n = ids.length + maxTokens;
            long[] all = java.util.Arrays.copyOf(ids, n);
            if (maxTokens == 1) {
                all[ids.length] = lp.topIds()[ids.length - 1][0];
            }
            ObjectNode choice = choices.addObject();
            choice.put("index", i);
            choice.put("text", variant.decode(all));
            if (logprobs == null) {
                choice.putNull("logprobs");
            } else {
                ObjectNode l = choice.putObject("logprobs");
                ArrayNode tokens = l.putArray("tokens");
                ArrayNode tokenLogprobs = l.putArray("token_logprobs");
                ArrayNode top = l.putArray("top_logprobs");
                ArrayNode offsets = l.putArray("text_offset");
                int offset = 0;
                for (int t = 0; t < n; t++) {
                    String token = variant.decode(new long[] {all[t]});
                    tokens.add(token);
                    offsets.add(offset);
                    offset += token.length();
                    if (t == 0) {
                        tokenLogprobs.addNull();
                        top.addNull();
                        continue;
                    }
                    // position t is predicted by the row before it; the generated token is row ids.length - 1's top
                    double value = t < ids.length ? lp.tokenLogProbs()[t - 1] : lp.topLogProbs()[t - 1][0];
                    tokenLogprobs.add(value);
                    ObjectNode alternatives = top.addObject();
                    for (int k = 0; k < logprobs; k++) {
                        alternatives.put(variant.decode(new long[] {lp.topIds()[t - 1][k]}),
                                lp.topLogProbs()[t - 1][k]);
                    }
                }
            }
            choice.put("finish_reason", "length");
        }
        body.set("usage", usage(promptTokens, maxTokens * served.prompts().size()));
        ObjectNode claws = body.putObject("claws");
        claws.put("variant", served.variant());
        claws.set("timing", timing(served.timing()));
        return timed(Response.ok(body.toString()), served.timing(), served.variant()).build();
    }

    /** One generation being answered: its prepared request and the ids and times of its answer. */
    private final class Answer {
        final String id;
        final String object;
        final long created = Instant.now().getEpochSecond();
        final InferenceValidation.PreparedGeneration prepared;

        Answer(String idPrefix, String object, InferenceValidation.PreparedGeneration prepared) {
            this.id = idPrefix + UUID.randomUUID().toString().replace("-", "");
            this.object = object;
            this.prepared = prepared;
        }

        CompletableFuture<ServedGeneration> generate(long arrival, String rpc) {
            return prepared.variant().generate(prepared.generation(), StreamSink.NONE, () -> false, arrival, rpc);
        }

        Response completion(ServedGeneration served) {
            ObjectNode body = head(object);
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            choice.put("text", served.text());
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason(served));
            return finished(body, served);
        }

        Response chatCompletion(ServedGeneration served) {
            ObjectNode body = head(object);
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", served.text());
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason(served));
            return finished(body, served);
        }

        private Response finished(ObjectNode body, ServedGeneration served) {
            RequestTiming t = served.timing();
            body.set("usage", usage(t.promptTokens(), t.generatedTokens()));
            body.set("claws", claws(served));
            return timed(Response.ok(body.toString()), t, served.variant())
                    .header("X-Claws-Seed", Long.toUnsignedString(prepared.seed())).build();
        }

        private ObjectNode head(String kind) {
            ObjectNode body = JSON.createObjectNode();
            body.put("id", id);
            body.put("object", kind);
            body.put("created", created);
            body.put("model", prepared.variant().name());
            return body;
        }

        private ObjectNode claws(ServedGeneration served) {
            ObjectNode claws = JSON.createObjectNode();
            claws.put("variant", served.variant());
            claws.put("seed", Long.toUnsignedString(prepared.seed()));
            claws.put("finish_reason", InferenceService.finishReason(served.finishReason()).name()
                    .substring("FINISH_REASON_".length()).toLowerCase(Locale.ROOT));
            claws.set("timing", timing(served.timing()));
            return claws;
        }

        /**
         * Server-sent events: one {@code data:} event per text piece as it is decoded, a last one with the finish
         * reason, usage and claws's accounting, then {@code data: [DONE]}. A client that goes away cancels the
         * generation at its next token.
         */
        Response stream(long arrival, boolean chat) {
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            AtomicBoolean gone = new AtomicBoolean();
            CompletableFuture<ServedGeneration> result = prepared.variant().generate(prepared.generation(),
                    (text, tokenIds) -> events.add(text), gone::get, arrival,
                    chat ? "OpenAI/chat-stream" : "OpenAI/completions-stream");
            result.whenComplete((served, error) -> events.add(error != null ? error : served));
            String chunkObject = chat ? "chat.completion.chunk" : "text_completion";
            StreamingOutput body = out -> {
                try {
                    if (chat) {
                        send(out, chunk(chunkObject, delta(true, ""), null));
                    }
                    while (true) {
                        Object event = events.take();
                        if (event instanceof String text) {
                            send(out, chunk(chunkObject, chat ? delta(false, text) : textPiece(text), null));
                        } else if (event instanceof ServedGeneration served) {
                            ObjectNode last = chunk(chunkObject, chat ? JSON.createObjectNode() : textPiece(""),
                                    finishReason(served));
                            last.set("usage", usage(served.timing().promptTokens(), served.timing().generatedTokens()));
                            last.set("claws", claws(served));
                            send(out, last);
                            break;
                        } else {
                            send(out, OpenAiErrors.body(ErrorStatus.of((Throwable) event)));
                            break;
                        }
                    }
                    out.write(("data: " + DONE + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    gone.set(true);
                    throw e;
                } catch (InterruptedException e) {
                    gone.set(true);
                    Thread.currentThread().interrupt();
                }
            };
            return Response.ok(body, "text/event-stream")
                    .header("Cache-Control", "no-cache")
                    .header("X-Claws-Variant", prepared.variant().name())
                    .header("X-Claws-Seed", Long.toUnsignedString(prepared.seed()))
                    .build();
        }

        private ObjectNode chunk(String kind, ObjectNode choiceContent, String finishReason) {
            ObjectNode body = head(kind);
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            if (choiceContent.has("text")) {
                choice.put("text", choiceContent.get("text").textValue());
                choice.putNull("logprobs");
            } else {
                choice.set("delta", choiceContent);
            }
            if (finishReason == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finishReason);
            }
            return body;
        }
    }

    private static ObjectNode delta(boolean first, String text) {
        ObjectNode delta = JSON.createObjectNode();
        if (first) {
            delta.put("role", "assistant");
        }
        delta.put("content", text);
        return delta;
    }

    private static ObjectNode textPiece(String text) {
        ObjectNode piece = JSON.createObjectNode();
        piece.put("text", text);
        return piece;
    }

    private static void send(OutputStream out, ObjectNode event) throws IOException {
        out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** OpenAI's finish_reason: "length" when max_tokens ran out, else "stop" (end of turn or a stop sequence). */
    private static String finishReason(ServedGeneration served) {
        return served.finishReason() == StopReason.LENGTH ? "length" : "stop";
    }

    private static ObjectNode envelope(String idPrefix, String object, String model) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", idPrefix + UUID.randomUUID().toString().replace("-", ""));
        body.put("object", object);
        body.put("created", Instant.now().getEpochSecond());
        body.put("model", model);
        return body;
    }

    private static ObjectNode usage(int promptTokens, int completionTokens) {
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return usage;
    }

    static ObjectNode timing(RequestTiming t) {
        ObjectNode timing = JSON.createObjectNode();
        timing.put("queue_ms", t.queueMs());
        timing.put("time_to_first_token_ms", t.prefillMs());
        timing.put("decode_ms", t.decodeMs());
        timing.put("total_ms", t.totalMs());
        timing.put("tokens_per_second", t.tokensPerSecond());
        timing.put("prompt_tokens", t.promptTokens());
        timing.put("generated_tokens", t.generatedTokens());
        return timing;
    }

    private static Response.ResponseBuilder timed(Response.ResponseBuilder response, RequestTiming t, String variant) {
        return response.type(MediaType.APPLICATION_JSON)
                .header("X-Claws-Variant", variant)
                .header("X-Claws-Queue-Ms", t.queueMs())
                .header("X-Claws-Time-To-First-Token-Ms", t.prefillMs())
                .header("X-Claws-Decode-Ms", t.decodeMs())
                .header("X-Claws-Total-Ms", t.totalMs())
                .header("X-Claws-Tokens-Per-Second", t.tokensPerSecond());
    }

    private static Response json(ObjectNode body) {
        return Response.ok(body.toString(), MediaType.APPLICATION_JSON).build();
    }

    private Optional<VariantEntity> row(String name) {
        return QuarkusTransaction.requiringNew().call(() -> variants.findByName(name));
    }

    private static ObjectNode model(VariantEntity row) {
        ObjectNode model = JSON.createObjectNode();
        model.put("id", row.name);
        model.put("object", "model");
        model.put("created", row.created == null ? 0 : row.created.getEpochSecond());
        model.put("owned_by", "claws");
        ObjectNode claws = model.putObject("claws");
        if (row.base == null || row.base.isEmpty()) {
            claws.putNull("base");
        } else {
            claws.put("base", row.base);
        }
        claws.put("method", row.method.name().toLowerCase(Locale.ROOT));
        claws.put("ratio", row.ratio);
        claws.put("rft_tokens", row.rftTokens);
        claws.put("parameter_count", row.parameterCount);
        claws.put("size_bytes", row.sizeBytes);
        return model;
    }
}
