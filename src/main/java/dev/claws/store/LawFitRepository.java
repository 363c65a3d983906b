package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class LawFitRepository implements PanacheRepositoryBase<LawFitEntity, Long> {

    /** Newest first; a null kind means "any". */
    public List<LawFitEntity> listNewest(LawFitEntity.Kind kind, int limit) {
        Sort newestFirst = Sort.descending("created", "id");
        if (kind == null) {
            return findAll(newestFirst).page(0, limit).list();
        }
        return find("kind", newestFirst, kind).page(0, limit).list();
    }
}
