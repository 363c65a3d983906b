package dev.claws.api;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Conversions between java.time and protobuf well-known time types. */
final class ProtoTime {

    private ProtoTime() {
    }

    static Timestamp toTimestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
