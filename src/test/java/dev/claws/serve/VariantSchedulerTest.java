package dev.claws.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-variant queue: bounded, cancellable while waiting, drained on close. */
class VariantSchedulerTest {

    @Test
    void fullQueueRefusesCancelledWorkLeavesTheQueueAndQueueTimeIsMeasured() throws Exception {
        VariantScheduler scheduler = new VariantScheduler("v", 1, 2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Long> running = scheduler.submit(queued -> {
            started.countDown();
            await(release);
            return queued;
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        CompletableFuture<Long> second = scheduler.submit(queued -> queued);
        CompletableFuture<Long> third = scheduler.submit(queued -> queued);
        assertEquals(2, scheduler.queueDepth());
        ServeException full = assertThrows(ServeException.class, () -> scheduler.submit(queued -> queued));
        assertEquals(ServeException.Kind.OVERLOADED, full.kind());

        third.cancel(false);
        assertEquals(1, scheduler.queueDepth(), "a cancelled request leaves the queue at once");
        CompletableFuture<Long> fourth = scheduler.submit(queued -> queued);
        Thread.sleep(50);
        release.countDown();
        assertTrue(running.get(5, TimeUnit.SECONDS) >= 0);
        assertTrue(second.get(5, TimeUnit.SECONDS) >= TimeUnit.MILLISECONDS.toNanos(50), "waited while blocked");
        assertTrue(fourth.get(5, TimeUnit.SECONDS) >= 0);
        assertEquals(0, scheduler.running());
        scheduler.close(1000);
    }

    @Test
    void closeFailsQueuedWorkAsUnloadedAndRefusesNewWork() throws Exception {
        VariantScheduler scheduler = new VariantScheduler("v", 1, 4);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Integer> running = scheduler.submit(queued -> {
            started.countDown();
            await(release);
            return 1;
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        CompletableFuture<Integer> queued = scheduler.submit(q -> 2);
        Thread closer = new Thread(() -> scheduler.close(5000));
        closer.start();
        ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(5, TimeUnit.SECONDS));
        assertEquals(ServeException.Kind.UNLOADED, assertInstanceOf(ServeException.class, e.getCause()).kind());
        assertTrue(scheduler.closing());
        assertEquals(ServeException.Kind.UNLOADED,
                assertThrows(ServeException.class, () -> scheduler.submit(q -> 3)).kind());
        release.countDown();
        assertEquals(1, running.get(5, TimeUnit.SECONDS));
        closer.join(5000);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
