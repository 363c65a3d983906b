package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class JobRepository implements PanacheRepositoryBase<JobEntity, Long> {

    /** Newest first; empty collections mean "any". */
    public List<JobEntity> listFiltered(Collection<JobEntity.State> states, Collection<JobEntity.Kind> kinds, int limit) {
        List<String> conditions = new ArrayList<>();
        Parameters parameters = new Parameters();
        if (!states.isEmpty()) {
            conditions.add("state in :states");
            parameters.and("states", states);
        }
        if (!kinds.isEmpty()) {
            conditions.add("kind in :kinds");
            parameters.and("kinds", kinds);
        }
        Sort newestFirst = Sort.descending("created", "id");
        if (conditions.isEmpty()) {
            return findAll(newestFirst).page(0, limit).list();
        }
        return find(String.join(" and ", conditions), newestFirst, parameters).page(0, limit).list();
    }

    /** Marks jobs left RUNNING by a server that stopped as INTERRUPTED (run once at start-up); returns how many. */
    public int markUnfinishedInterrupted(String reason) {
        return update("state = ?1, error = ?2, finished = ?3 where state = ?4",
                JobEntity.State.INTERRUPTED, reason, StoredTime.now(), JobEntity.State.RUNNING);
    }
}
