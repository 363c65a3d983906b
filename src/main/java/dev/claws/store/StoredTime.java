package dev.claws.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The current time at the precision the database keeps (microseconds in H2 and PostgreSQL), so a row reads back with
 * exactly the timestamps it was written with and an answer given before a restart equals the one given after it.
 */
public final class StoredTime {

    private StoredTime() {
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
