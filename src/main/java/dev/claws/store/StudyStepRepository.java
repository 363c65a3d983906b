package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
public class StudyStepRepository implements PanacheRepositoryBase<StudyStepEntity, Long> {

    public Optional<StudyStepEntity> findByKey(String key) {
        return find("stepKey", key).firstResultOptional();
    }
}
