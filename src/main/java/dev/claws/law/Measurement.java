package dev.claws.law;

/**
 * One stored evaluation measurement, as the law sees it: the evaluated variant, its lineage and the value.
 *
 * @param id        storage order: a larger id is a newer measurement
 * @param variant   the evaluated variant
 * @param baseModel the uncompressed model it descends from (equal to {@code variant} for the base model itself)
 * @param ratio     compression ratio r of the variant (0 for the base)
 * @param rftTokens recovery fine-tuning tokens D of the variant (0 = none)
 */
public record Measurement(long id, String variant, String baseModel, String task, String metric, double value,
                          double ratio, double rftTokens) {

    public boolean isBase() {
        return variant.equals(baseModel);
    }
}
