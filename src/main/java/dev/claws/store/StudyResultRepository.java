package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class StudyResultRepository implements PanacheRepositoryBase<StudyResultEntity, Long> {

    /** The newest study result of that name. */
    public Optional<StudyResultEntity> findNewestByName(String name) {
        return find("name", Sort.descending("jobId"), name).firstResultOptional();
    }
}
