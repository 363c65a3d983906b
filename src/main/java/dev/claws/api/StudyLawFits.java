package dev.claws.api;

import dev.claws.api.v1.LawKind;
import dev.claws.jobs.LawFitArchive;
import dev.claws.law.FittedLaw;
import dev.claws.law.MeasuredPoint;
import dev.claws.law.RatioShapeCheck;
import dev.claws.store.LawFitRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/** Stores a study's law fits as law_fit rows, in the same documents FitLaw writes. */
@ApplicationScoped
public class StudyLawFits implements LawFitArchive {

    @Inject
    LawFitRepository fits;

    @Override
    public long store(String name, boolean intrinsic, String metric, FittedLaw fit, List<String> labels, RatioShapeCheck shape,
                      List<String> notes) {
        List<LawMapping.Labeled> points = new ArrayList<>();
        for (int i = 0; i < fit.points().size(); i++) {
            MeasuredPoint p = fit.points().get(i);
            points.add(new LawMapping.Labeled(p, i < labels.size() ? labels.get(i) : ""));
        }
        dev.claws.store.LawFitEntity row = LawMapping.row(name.length() > 128 ? name.substring(0, 128) : name,
                intrinsic ? LawKind.LAW_KIND_INTRINSIC : LawKind.LAW_KIND_EXTRINSIC, metric, fit, points, shape, notes,
                null);
        fits.persist(row);
        return row.id;
    }
}
