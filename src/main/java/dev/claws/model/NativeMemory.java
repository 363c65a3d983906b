package dev.claws.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * How freed tensor memory goes back to the operating system. PyTorch's CPU allocator is glibc malloc; glibc raises its
 * mmap threshold dynamically (up to 32 MB) after large blocks are freed, so later activations and caches come from
 * the heap, and memory freed at the end of a request stays resident in the process. Fixing the threshold at 1 MB
 * (mallopt M_MMAP_THRESHOLD, which also turns the dynamic adjustment off) serves every large tensor from its own
 * mapping, unmapped when it is freed: resident memory follows the tensors alive. Linux/glibc only; elsewhere nothing.
 */
final class NativeMemory {

    private static final int M_MMAP_THRESHOLD = -3;
    private static final int MMAP_THRESHOLD_BYTES = 1 << 20;
    private static volatile boolean configured;

    private NativeMemory() {
    }

    /** glibc's mallopt (man 3 mallopt). */
    interface C extends Library {
        int mallopt(int param, int value);
    }

    /** Applies the allocator settings once per process; returns whether glibc accepted them. */
    static synchronized boolean returnFreedTensorsToTheSystem() {
        if (configured) {
            return true;
        }
        if (!Platform.isLinux()) {
            return false;
        }
        try {
            C c = Native.load("c", C.class);
            configured = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            configured = false; // not glibc (e.g. musl): its allocator returns large blocks by itself
        }
        return configured;
    }
}
