package dev.claws.train;

/**
 * AdamW with decoupled weight decay, as torch.optim.AdamW (amsgrad off): per element,
 * p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
 * The moments live here, one pair per parameter index, in float32 as PyTorch keeps them.
 */
public final class AdamW {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final float[][] m;
    private final float[][] v;
    private int step;

    public AdamW(int parameters, double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("AdamW needs betas in [0, 1), eps > 0, weight decay >= 0");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new float[parameters][];
        this.v = new float[parameters][];
    }

    /** Starts an optimizer step (advances the bias-correction count); then {@link #update} each parameter once. */
    public void beginStep() {
        step++;
    }

    /** Updates {@code param} in place from {@code grad} with learning rate {@code lr}. */
    public void update(int index, float[] param, float[] grad, double lr) {
        if (m[index] == null) {
            m[index] = new float[param.length];
            v[index] = new float[param.length];
        }
        float[] mi = m[index];
        float[] vi = v[index];
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / bc1;
        float decay = (float) (1 - lr * weightDecay);
        for (int i = 0; i < param.length; i++) {
            float g = grad[i];
            mi[i] = (float) (beta1 * mi[i] + (1 - beta1) * g);
            vi[i] = (float) (beta2 * vi[i] + (1 - beta2) * g * g);
            double denom = Math.sqrt(vi[i]) / bc2Sqrt + eps;
            param[i] = (float) (param[i] * decay - stepSize * mi[i] / denom);
        }
    }
}
