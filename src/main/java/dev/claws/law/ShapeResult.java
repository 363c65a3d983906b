package dev.claws.law;

/**
 * The paper's shape check (L linear or quadratic in r) for one method, one D and one task: the cells' values
 * (every seed) and the base model's at r = 0.
 *
 * @param check the check; null when it could not be made (see error)
 * @param error why there is no check; null when there is one
 */
public record ShapeResult(boolean intrinsic, String method, long rftTokens, String task, String metric,
                          RatioShapeCheck check, String error) {
}
