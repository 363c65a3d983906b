package dev.claws.store;

import io.quarkus.test.junit.QuarkusTest;

/** Entity round trips through the default embedded H2 file database. */
@QuarkusTest
class StoreRoundTripH2Test extends StoreRoundTripContract {
}
