package dev.claws.store;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Entity round trips through a real PostgreSQL server (see {@link PostgresTestResource}). */
@QuarkusTest
@TestProfile(PostgresProfile.class)
class StoreRoundTripPostgresTest extends StoreRoundTripContract {
}
