package dev.claws.train;

import dev.claws.model.LinearMaps.Projection;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A linear projection of a decoder layer that can carry a LoRA adapter, named as peft's {@code target_modules} name it
 * (q_proj ... down_proj). q/k/v are slices of the fused QKV weight and gate/up of the fused GATE_UP weight.
 */
public enum LoraTarget {
    Q("q_proj", "self_attn", Projection.QKV, 0),
    K("k_proj", "self_attn", Projection.QKV, 1),
    V("v_proj", "self_attn", Projection.QKV, 2),
    O("o_proj", "self_attn", Projection.O, 0),
    GATE("gate_proj", "mlp", Projection.GATE_UP, 0),
    UP("up_proj", "mlp", Projection.GATE_UP, 1),
    DOWN("down_proj", "mlp", Projection.DOWN, 0);

    private final String module;
    private final String block;
    private final Projection projection;
    private final int slice;

    LoraTarget(String module, String block, Projection projection, int slice) {
        this.module = module;
        this.block = block;
        this.projection = projection;
        this.slice = slice;
    }

    /** peft / transformers module name, e.g. "q_proj". */
    public String module() {
        return module;
    }

    /** Short name used in requests: q, k, v, o, gate, up, down. */
    public String shortName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Projection projection() {
        return projection;
    }

    /** Index of this target's output slice within its (possibly fused) projection. */
    public int slice() {
        return slice;
    }

    /** Module path inside the transformers model, e.g. "model.layers.3.self_attn.q_proj". */
    public String modulePath(int layer) {
        return "model.layers." + layer + "." + block + "." + module;
    }

    /** The targets sharing one projection, in slice order. */
    public static List<LoraTarget> of(Projection projection) {
        List<LoraTarget> out = new ArrayList<>();
        for (LoraTarget t : values()) {
            if (t.projection == projection) {
                out.add(t);
            }
        }
        return out;
    }

    /** By short name (q, k, ..., down) or module name (q_proj, ...), case-insensitive. */
    public static Optional<LoraTarget> byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (LoraTarget t : values()) {
            if (t.shortName().equals(n) || t.module.equals(n)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
