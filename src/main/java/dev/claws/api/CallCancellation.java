package dev.claws.api;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Whether an inference call was cancelled (client cancel, deadline, lost connection), watched from before its work is
 * queued: the serving layer polls it before every token, and a cancel also cancels the queued work so it leaves the
 * queue at once.
 */
final class CallCancellation implements BooleanSupplier {

    private final Context context;
    private final ServerCallStreamObserver<?> call;
    private final AtomicReference<CompletableFuture<?>> work = new AtomicReference<>();

    private CallCancellation(Context context, ServerCallStreamObserver<?> call) {
        this.context = context;
        this.call = call;
    }

    /** Must be called in the service method, before the work is queued. */
    static CallCancellation watch(Context context, StreamObserver<?> observer) {
        ServerCallStreamObserver<?> call = observer instanceof ServerCallStreamObserver<?> s ? s : null;
        CallCancellation c = new CallCancellation(context, call);
        if (call != null) {
            call.setOnCancelHandler(c::cancelWork);
        }
        context.addListener(cancelled -> c.cancelWork(), Runnable::run);
        return c;
    }

    /** Ties the queued work to the call; returns it. */
    <T> CompletableFuture<T> attach(CompletableFuture<T> result) {
        work.set(result);
        if (getAsBoolean()) {
            result.cancel(false);
        }
        return result;
    }

    @Override
    public boolean getAsBoolean() {
        return context.isCancelled() || (call != null && call.isCancelled());
    }

    private void cancelWork() {
        CompletableFuture<?> w = work.get();
        if (w != null) {
            w.cancel(false);
        }
    }
}
