package dev.claws.api;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** Answers an RPC whose capability has not been built yet, saying which work will bring it. */
final class Unimplemented {

    private Unimplemented() {
    }

    static void answer(StreamObserver<?> observer, String rpc, String arrivesWith) {
        observer.onError(Status.UNIMPLEMENTED
                .withDescription(rpc + " is not implemented yet: " + arrivesWith)
                .asRuntimeException());
    }
}
