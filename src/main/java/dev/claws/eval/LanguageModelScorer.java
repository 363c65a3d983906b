package dev.claws.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * What evaluation needs from a causal language model; the inference engine is adapted to it.
 *
 * <p>Semantics follow lm-evaluation-harness (v0.4.x, Hugging Face causal backend) so that scores are comparable:
 * <ul>
 *   <li>{@link #encode} is {@code tokenizer(text, add_special_tokens=False).input_ids}: no BOS/EOS added. For tokenizers
 *       without a BOS post-processor (Qwen2) this is also what harness 0.4.13 computes with its defaults.</li>
 *   <li>{@link #score} is one harness loglikelihood request after tokenization and truncation: the model reads the single
 *       sequence {@code context ++ continuation} without its last token (no padding influence, no KV state carried over), and
 *       returns {@code sum_j log_softmax(logits[p_j])[continuation[j]]}, where {@code p_j} is the position of the token just
 *       before {@code continuation[j]}, log-softmax over the full vocabulary in at least float32, accumulated in the
 *       model's float type and returned as a double; {@code greedy} is true when every continuation token is the argmax
 *       at its position. Preconditions (callers establish them with {@link HarnessRequestBuilder}):
 *       {@code context.length >= 1}, {@code continuation.length >= 1},
 *       {@code context.length + continuation.length <= maxLength() + 1}.</li>
 *   <li>{@link #tokenNlls} is the per-token cross-entropy of one window: {@code nll[i] = -log p(tokens[i+1] | tokens[0..i])},
 *       length {@code tokens.length - 1}, with {@code 2 <= tokens.length <= maxLength()} (as transformers'
 *       {@code CrossEntropyLoss(reduction="none")} of {@code logits[:-1]} against {@code tokens[1:]}).</li>
 *   <li>{@link #eotTokenId} is the token used as the whole context when the context string is empty (the harness's
 *       {@code prefix_token_id}: BOS when the tokenizer has one, else EOS; v0.4.1 always used EOS).</li>
 *   <li>{@link #maxLength} is the harness's {@code max_length}: the longest model input in tokens.</li>
 * </ul>
 */
public interface LanguageModelScorer {

    int[] encode(String text);

    LoglikelihoodResult score(int[] context, int[] continuation);

    double[] tokenNlls(int[] tokens);

    int eotTokenId();

    int maxLength();

    /** Scores several requests; engines override this to batch. Results are in request order. */
    default List<LoglikelihoodResult> scoreAll(List<TokenizedRequest> requests) {
        List<LoglikelihoodResult> scores = new ArrayList<>(requests.size());
        for (TokenizedRequest request : requests) {
            scores.add(score(request.context(), request.continuation()));
        }
        return scores;
    }
}
