package dev.claws.report;

import java.util.List;

/** The findings of arXiv 2504.04342 ("Compression Laws for Large Language Models") a study is compared with. */
public final class PublishedFindings {

    /** Intrinsic performance (test cross-entropy) grows quadratically with the compression ratio. */
    public static final String INTRINSIC_SHAPE = "intrinsic loss grows quadratically with r";
    /** Extrinsic performance (zero-shot accuracy) falls linearly with the compression ratio. */
    public static final String EXTRINSIC_SHAPE = "extrinsic accuracy falls linearly with r";
    /** Recovery fine-tuning recovers up to 55% of the test loss. */
    public static final String RECOVERY = "recovery fine-tuning recovers up to 55% of the test loss";
    /** One published extrinsic fit. */
    public static final String EXTRINSIC_LAW = "extrinsic law L = L0^0.98 (1+r)^-1.03";
    public static final double EXTRINSIC_ALPHA = 0.98;
    public static final double EXTRINSIC_BETA = -1.03;
    public static final double MAX_RECOVERY = 0.55;

    public static final List<String> LINES = List.of(INTRINSIC_SHAPE, EXTRINSIC_SHAPE, RECOVERY, EXTRINSIC_LAW);

    private PublishedFindings() {
    }
}
