package dev.claws.model.tools;

import dev.claws.model.DecoderModel;
import dev.claws.model.InferenceSession;

/**
 * Logits of {@link HostDecodeStep} against claws's decode path on the same model, teacher-forced: both take the prompt
 * and then the same tokens one token at a time, claws through its generation steps (the engine's ops, its decode
 * weights, its KV cache), so the cache both attend to was written by decode steps of the same dtype (a bfloat16 step
 * after a float32 engine prefill would differ by the prefill's dtype, not by the step).
 *
 * @param promptMaxDiff max |logit diff| after the last prompt token
 * @param stepMaxDiffs  max |logit diff| of each decode step [steps]
 * @param agreeing      decode steps whose greedy (argmax) tokens are equal
 * @param tokens        the tokens fed after the prompt [steps]
 */
record HostDecodeParity(float promptMaxDiff, float[] stepMaxDiffs, int agreeing, long[] tokens) {

    /**
     * Feeds {@code prompt}, then {@code steps} tokens to both: {@code tokens} if given, otherwise the model's own greedy
     * tokens (each the argmax of the model's previous logits).
     */
    static HostDecodeParity compare(DecoderModel model, HostDecodeStep host, long[] prompt, long[] tokens, int steps) {
        long[] fed = tokens == null ? new long[steps] : tokens.clone();
        float[] diffs = new float[steps];
        int agreeing = 0;
        float promptDiff;
        try (InferenceSession session = model.newSession(prompt.length + steps)) {
            float[] expected = null;
            float[] actual = null;
            host.reset();
            for (long id : prompt) {
                expected = session.feedGenerating(new long[] {id});
                actual = host.step((int) id);
            }
            promptDiff = maxAbsDiff(expected, actual);
            for (int i = 0; i < steps; i++) {
                if (tokens == null) {
                    fed[i] = HostOps.argmax(expected, expected.length);
                }
                expected = session.feedGenerating(new long[] {fed[i]});
                actual = host.step((int) fed[i]);
                diffs[i] = maxAbsDiff(expected, actual);
                agreeing += HostOps.argmax(expected, expected.length) == HostOps.argmax(actual, actual.length) ? 1 : 0;
            }
        }
        return new HostDecodeParity(promptDiff, diffs, agreeing, fed);
    }

    /** The largest per-step max |logit diff|. */
    float maxStepDiff() {
        float max = 0;
        for (float d : stepMaxDiffs) {
            max = Math.max(max, d);
        }
        return max;
    }

    /** The mean of the per-step max |logit diff|. */
    double meanStepDiff() {
        double sum = 0;
        for (float d : stepMaxDiffs) {
            sum += d;
        }
        return stepMaxDiffs.length == 0 ? 0 : sum / stepMaxDiffs.length;
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
