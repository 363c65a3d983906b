package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

@ApplicationScoped
public class VariantRepository implements PanacheRepositoryBase<VariantEntity, Long> {

    public Optional<VariantEntity> findByName(String name) {
        return find("name", name).firstResultOptional();
    }

    /** All variants ordered by name; with a base name, that base and the variants descending from it. */
    public List<VariantEntity> listByBase(String base) {
        if (base == null || base.isEmpty()) {
            return listAll(Sort.by("name"));
        }
        return list("name = ?1 or base = ?1", Sort.by("name"), base);
    }

    /** Number of variants derived from the named one (as their base or their parent). */
    public long countDerivedFrom(String name) {
        return count("(base = ?1 or parent = ?1) and name <> ?1", name);
    }
}
