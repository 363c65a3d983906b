package dev.claws.serve;

import dev.claws.eval.EngineScorer;
import dev.claws.eval.HarnessRequestBuilder;
import dev.claws.eval.LoglikelihoodRequest;
import dev.claws.eval.TokenizedRequest;
import dev.claws.model.ChatTemplate;
import dev.claws.model.DecodeBatch;
import dev.claws.model.StopReason;
import dev.claws.model.LanguageModel;
import dev.claws.model.PromptLogProbs;
import dev.claws.model.TextGeneration;
import dev.claws.model.TokenListener;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import dev.claws.eval.LoglikelihoodResult;

/**
 * A variant resident in memory: its model, its request queue and what the API needs to validate requests (context
 * length, vocabulary, token counts). Generation and scoring run on the variant's own workers.
 */
public final class ResidentVariant {

    private static final long CLOSE_WAIT_MILLIS = 30_000;

    private final String name;
    private final Path path;
    private final LanguageModel model;
    private final long memoryBytes;
    private final VariantScheduler scheduler;
    private final ServingMetrics metrics;
    private final EngineScorer scorer;
    private final HarnessRequestBuilder scoreRequests;
    /** Tokenises score requests with special-token text read as plain text. */
    private final HarnessRequestBuilder plainTextScoreRequests;
    /** Runs the decode steps of this variant's concurrent generations as one batch; null when batching is off. */
    private final DecodeBatch batch;
    /** The checkpoint's chat template, if it has one. */
    private final Optional<ChatTemplate> chatTemplate;
    /** Token ids that end an assistant turn in a chat. */
    private final List<Integer> endOfTurnIds;

    /** Bytes of the memory budget not taken by resident variants (what a request's prefill may use). */
    private final java.util.function.LongSupplier freeBudgetBytes;

    ResidentVariant(String name, Path path, LanguageModel model, long memoryBytes, VariantScheduler scheduler,
                    ServingMetrics metrics, int maxBatchSize, java.util.function.LongSupplier freeBudgetBytes) {
        this.freeBudgetBytes = freeBudgetBytes;
        this.batch = maxBatchSize > 1 ? new DecodeBatch(model.model(), maxBatchSize, "claws-decode-" + name) : null;
        this.name = name;
        this.path = path;
        this.model = model;
        this.memoryBytes = memoryBytes;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.scorer = new EngineScorer(model);
        this.scoreRequests = new HarnessRequestBuilder(scorer);
        this.plainTextScoreRequests = new HarnessRequestBuilder(text -> toInts(model.tokenizer().encode(text, false,
                false)), scorer.eotTokenId(), scorer.maxLength());
        this.chatTemplate = ChatTemplate.load(path);
        this.endOfTurnIds = endOfTurnIds(model, chatTemplate);
    }

    /**
     * The model's eos_token_id(s), the eos_token of tokenizer_config.json (a chat model's end-of-turn token, e.g.
     * SmolLM2's {@code <|im_end|>}) and generation_config.json's eos_token_id, without repeats.
     */
    private static List<Integer> endOfTurnIds(LanguageModel model, Optional<ChatTemplate> template) {
        Set<Integer> ids = new LinkedHashSet<>(model.model().config().eosTokenIds());
        template.flatMap(t -> t.specialToken("eos_token")).ifPresent(token -> {
            long[] encoded = model.tokenizer().encode(token, false);
            if (encoded.length == 1) {
                ids.add(Math.toIntExact(encoded[0]));
            }
        });
        ids.addAll(ChatTemplate.generationConfigEosIds(model.model().directory()));
        return List.copyOf(ids);
    }

    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    public long memoryBytes() {
        return memoryBytes;
    }

    /** The model's context length (config.json max_position_embeddings). */
    public int contextLength() {
        return model.model().config().maxPositionEmbeddings();
    }

    public int vocabSize() {
        return model.model().config().vocabSize();
    }

    /** Tokens of a prompt as generation reads it (with the tokenizer's special tokens). */
    public int promptTokens(String prompt) {
        return promptTokens(prompt, true);
    }

    /** Tokens of a prompt as generation reads it; {@code parseSpecialTokens} as in {@link GenerationRequest}. */
    public int promptTokens(String prompt, boolean parseSpecialTokens) {
        return model.tokenizer().encode(prompt, true, parseSpecialTokens).length;
    }

    /**
     * Tokenises score requests as lm-evaluation-harness does (tokens of context + continuation minus tokens of the
     * context; an empty context becomes the prefix token).
     *
     * @throws ServeException BAD_INPUT when a continuation encodes to no token
     */
    public List<TokenizedRequest> scoreRequests(String context, List<String> continuations) {
        return scoreRequests(context, continuations, true);
    }

    /**
     * Like {@link #scoreRequests(String, List)}; {@code parseSpecialTokens = false} reads special-token text as plain
     * text.
     */
    public List<TokenizedRequest> scoreRequests(String context, List<String> continuations,
                                                boolean parseSpecialTokens) {
        HarnessRequestBuilder builder = parseSpecialTokens ? scoreRequests : plainTextScoreRequests;
        List<TokenizedRequest> out = new ArrayList<>(continuations.size());
        for (int i = 0; i < continuations.size(); i++) {
            TokenizedRequest r;
            try {
                r = builder.tokenize(new LoglikelihoodRequest(context, continuations.get(i)));
            } catch (IllegalArgumentException e) {
                throw new ServeException(ServeException.Kind.BAD_INPUT, "continuations[" + i + "]: " + e.getMessage());
            }
            if (r.continuation().length == 0) {
                throw new ServeException(ServeException.Kind.BAD_INPUT, "continuations[" + i
                        + "] must add at least one token to the context; it encodes to none after the context's tokens");
            }
            out.add(r);
        }
        return out;
    }

    /**
     * Renders a conversation with the variant's chat template, ending with the opening of the assistant's turn.
     *
     * @throws ServeException WRONG_STATE when the checkpoint has no chat template, BAD_INPUT when the template refuses
     *                        the messages
     */
    public ChatPrompt chatPrompt(List<ChatTemplate.Message> messages) {
        ChatTemplate template = chatTemplate.orElseThrow(() -> new ServeException(ServeException.Kind.WRONG_STATE,
                "variant '" + name + "' has no chat template (neither " + ChatTemplate.JINJA_FILE + " nor a "
                        + "\"chat_template\" in " + ChatTemplate.TOKENIZER_CONFIG + "); send a plain prompt instead"));
        String text;
        try {
            text = template.render(messages, true);
        } catch (IllegalArgumentException e) {
            throw new ServeException(ServeException.Kind.BAD_INPUT, "messages: " + e.getMessage(), e);
        }
        return new ChatPrompt(ChatTemplate.forEncoding(text, model.tokenizer()), endOfTurnIds);
    }

    /** Token ids of a prompt as generation reads it (with the tokenizer's special tokens). */
    public long[] encodePrompt(String prompt) {
        return model.tokenizer().encode(prompt, true);
    }

    /** The text of token ids, special tokens included. */
    public String decode(long[] tokenIds) {
        return model.tokenizer().decode(tokenIds, false);
    }

    /**
     * Queues the scoring of whole prompts: each token's log-probability given the tokens before it and the
     * {@code topK} most likely tokens at every position (one forward pass per prompt).
     */
    public CompletableFuture<ServedPromptScores> scorePrompts(List<long[]> prompts, int topK,
                                                              BooleanSupplier cancelled, long arrivalNanos) {
        return submit(queueNanos -> {
            long start = System.nanoTime();
            List<ServedPromptScores.Prompt> out = new ArrayList<>(prompts.size());
            int promptTokens = 0;
            for (long[] ids : prompts) {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("the call was cancelled");
                }
                PromptLogProbs p = model.model().promptLogProbs(ids, topK);
                out.add(new ServedPromptScores.Prompt(ids, p));
                promptTokens += ids.length;
            }
            long end = System.nanoTime();
            metrics.request(name, "ScorePrompt", end - arrivalNanos);
            return new ServedPromptScores(name, out, new RequestTiming(RequestTiming.millis(queueNanos),
                    RequestTiming.millis(end - start), 0, RequestTiming.millis(end - arrivalNanos), 0, promptTokens, 0));
        });
    }

    public int queueDepth() {
        return scheduler.queueDepth();
    }

    /** The most generations whose decode steps ran as one batch so far (0 when batching is off). */
    public int peakBatchRows() {
        return batch == null ? 0 : batch.peakRows();
    }

    /** Requests being worked on right now. */
    public int running() {
        return scheduler.running();
    }

    /**
     * Queues a generation. {@code sink} receives the text as it is decoded; {@code cancelled} is checked before every
     * decoding step, so a cancelled call stops at once and its KV cache is freed.
     *
     * @param arrivalNanos when the request arrived ({@link System#nanoTime()}), the start of its total time
     * @param rpc          the RPC name for the metrics
     * @throws ServeException OVERLOADED when the queue is full
     */
    public CompletableFuture<ServedGeneration> generate(GenerationRequest request, StreamSink sink,
                                                        BooleanSupplier cancelled, long arrivalNanos, String rpc) {
        requirePrefillFits(promptTokens(request.prompt()), "the prompt");
        return submit(queueNanos -> runGeneration(request, sink, cancelled, arrivalNanos, queueNanos, rpc));
    }

    /**
     * Queues the scoring of tokenised continuations (from {@link #scoreRequests}); the context runs through the
     * model once and its keys/values are reused for every continuation, exactly as the evaluation scores them.
     */
    public CompletableFuture<ServedScores> score(List<TokenizedRequest> requests, BooleanSupplier cancelled,
                                                 long arrivalNanos) {
        int longest = 0;
        for (TokenizedRequest r : requests) {
            longest = Math.max(longest, r.context().length + r.continuation().length);
        }
        requirePrefillFits(longest, "the context and its longest continuation");
        return submit(queueNanos -> {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("the call was cancelled while it waited");
            }
            long start = System.nanoTime();
            List<LoglikelihoodResult> scores = scorer.scoreAll(requests);
            long end = System.nanoTime();
            List<ServedScores.Score> out = new ArrayList<>(scores.size());
            int promptTokens = 0;
            for (int i = 0; i < scores.size(); i++) {
                int count = requests.get(i).continuation().length;
                promptTokens += count;
                out.add(new ServedScores.Score(scores.get(i).logLikelihood(), count, scores.get(i).greedy()));
            }
            promptTokens += requests.isEmpty() ? 0 : requests.get(0).context().length;
            metrics.request(name, "Score", end - arrivalNanos);
            return new ServedScores(name, out, new RequestTiming(RequestTiming.millis(queueNanos),
                    RequestTiming.millis(end - start), 0, RequestTiming.millis(end - arrivalNanos), 0, promptTokens, 0));
        });
    }

    /**
     * Refuses, before any work, a prefill whose working set (estimated from the shapes, {@link MemoryEstimate}) does not
     * fit in what the memory budget leaves beside the resident variants.
     *
     * @throws ServeException OVERLOADED (RESOURCE_EXHAUSTED)
     */
    private void requirePrefillFits(int tokens, String what) {
        long needed = MemoryEstimate.prefillBytes(model.model().config(), tokens);
        long free = freeBudgetBytes.getAsLong();
        if (needed > free) {
            metrics.rejected(name, "memory_budget");
            throw new ServeException(ServeException.Kind.OVERLOADED, what + " (" + tokens + " tokens) needs about "
                    + needed + " bytes of working memory on variant '" + name + "' but only " + Math.max(0, free)
                    + " bytes of the memory budget are free beside the resident variants "
                    + "(claws.serve.memory-budget-bytes); send a shorter prompt or unload a variant");
        }
    }

    private <T> CompletableFuture<T> submit(java.util.function.LongFunction<T> work) {
        try {
            return scheduler.submit(work);
        } catch (ServeException e) {
            if (e.kind() == ServeException.Kind.OVERLOADED) {
                metrics.rejected(name, "queue_full");
            }
            throw e;
        }
    }

    private ServedGeneration runGeneration(GenerationRequest request, StreamSink sink, BooleanSupplier cancelled,
                                           long arrivalNanos, long queueNanos, String rpc) {
        BooleanSupplier stop = () -> cancelled.getAsBoolean() || scheduler.closing();
        if (stop.getAsBoolean()) {
            throw stopped(cancelled);
        }
        Timer tokenLatency = metrics.tokenLatency(name);
        long workStart = System.nanoTime();
        long[] lastTokenAt = {0};
        List<Long> pending = new ArrayList<>();
        TokenListener tokens = tokenId -> {
            long now = System.nanoTime();
            if (lastTokenAt[0] == 0) {
                metrics.timeToFirstToken(name, now - workStart);
            } else {
                tokenLatency.record(now - lastTokenAt[0], TimeUnit.NANOSECONDS);
            }
            lastTokenAt[0] = now;
            pending.add(tokenId);
            return true;
        };
        TextGeneration.TextListener text = (piece, tokenId) -> sink.onPiece(piece, drain(pending));
        TextGeneration g = model.generate(request.prompt(), request.parseSpecialTokens(), request.settings(),
                request.stopSequences(), tokens, text, stop, batch);
        metrics.tokensGenerated(name, g.timings().generatedTokens());
        if (g.finishReason() == StopReason.CANCELLED) {
            throw stopped(cancelled);
        }
        long end = System.nanoTime();
        metrics.request(name, rpc, end - arrivalNanos);
        var t = g.timings();
        RequestTiming timing = new RequestTiming(RequestTiming.millis(queueNanos), RequestTiming.millis(t.prefillNanos()),
                RequestTiming.millis(t.decodeNanos()), RequestTiming.millis(end - arrivalNanos),
                t.decodeTokensPerSecond(), t.promptTokens(), t.generatedTokens());
        return new ServedGeneration(name, g.text(), g.tokenIds(), drain(pending), g.finishReason(), timing);
    }

    private RuntimeException stopped(BooleanSupplier cancelled) {
        if (!cancelled.getAsBoolean() && scheduler.closing()) {
            return new ServeException(ServeException.Kind.UNLOADED, "variant '" + name + "' was unloaded");
        }
        return new CancellationException("the call was cancelled");
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    private static long[] drain(List<Long> pending) {
        long[] ids = new long[pending.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = pending.get(i);
        }
        pending.clear();
        return ids;
    }

    /** Stops taking work, waits for running work to stop, then frees the model's memory. */
    void close() {
        scheduler.close(CLOSE_WAIT_MILLIS);
        if (batch != null) {
            batch.close();
        }
        metrics.unwatchQueue(name);
        model.close();
    }
}
