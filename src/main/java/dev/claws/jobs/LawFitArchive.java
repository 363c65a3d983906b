package dev.claws.jobs;

import dev.claws.law.FittedLaw;
import dev.claws.law.RatioShapeCheck;
import java.util.List;

/**
 * Stores a law fit of a study as a law_fit row, so GetLawFit, PredictLoss and CriticalRatio work on it. Implemented by
 * the API layer, which owns the stored documents' format; called inside a transaction.
 */
public interface LawFitArchive {

    /**
     * @param labels one label per point of the fit, saying where it came from
     * @param shape  the shape check of the fit's points, or null
     * @return the id of the stored row
     */
    long store(String name, boolean intrinsic, String metric, FittedLaw fit, List<String> labels, RatioShapeCheck shape,
               List<String> notes);
}
