package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class BenchmarkRunRepository implements PanacheRepositoryBase<BenchmarkRunEntity, Long> {

    public List<BenchmarkRunEntity> listByVariant(String variant) {
        return list("variant", Sort.by("id"), variant);
    }

    public List<BenchmarkRunEntity> listByJob(long jobId) {
        return list("jobId", Sort.by("id"), jobId);
    }
}
