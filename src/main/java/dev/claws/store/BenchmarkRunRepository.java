package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class BenchmarkRunRepository implements PanacheRepositoryBase<BenchmarkRunEntity, Long> {

    public List<BenchmarkRunEntity> listByVariant(String variant) {
        return list("variant", Sort.by("id"), variant);
    }

    public List<BenchmarkRunEntity> listByJob(long jobId) {
        return list("jobId", Sort.by("id"), jobId);
    }

    /** The rows with these ids, by id, in one query (ids without a row are left out). */
    public List<BenchmarkRunEntity> listByIds(Collection<Long> ids) {
        return ids.isEmpty() ? List.of() : list("id in ?1", Sort.by("id"), ids);
    }
}
