package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class EvalResultRepository implements PanacheRepositoryBase<EvalResultEntity, Long> {

    /** Rows with the metric, filtered by base models, methods and tasks (empty collections mean "any"). */
    public List<EvalResultEntity> select(Collection<String> baseModels, Collection<VariantEntity.Method> methods, String metric,
            Collection<String> tasks) {
        List<String> conditions = new ArrayList<>(List.of("metric = :metric"));
        Parameters parameters = Parameters.with("metric", metric);
        if (!baseModels.isEmpty()) {
            conditions.add("baseModel in :bases");
            parameters.and("bases", baseModels);
        }
        if (!methods.isEmpty()) {
            conditions.add("method in :methods");
            parameters.and("methods", methods);
        }
        if (!tasks.isEmpty()) {
            conditions.add("task in :tasks");
            parameters.and("tasks", tasks);
        }
        return list(String.join(" and ", conditions), Sort.by("id"), parameters);
    }

    public List<EvalResultEntity> listByJob(long jobId) {
        return list("jobId", Sort.by("id"), jobId);
    }

    /** The rows with these ids, by id, in one query (ids without a row are left out). */
    public List<EvalResultEntity> listByIds(Collection<Long> ids) {
        return ids.isEmpty() ? List.of() : list("id in ?1", Sort.by("id"), ids);
    }
}
