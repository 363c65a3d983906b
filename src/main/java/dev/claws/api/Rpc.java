package dev.claws.api;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs the body of a unary RPC and turns its outcome into exactly one response or one status ({@link ErrorStatus}). */
final class Rpc {

    private Rpc() {
    }

    static <T> void unary(StreamObserver<T> observer, Supplier<T> body) {
        T response;
        try {
            response = body.get();
        } catch (RuntimeException e) {
            ErrorStatus.reply(observer, e);
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }
}
