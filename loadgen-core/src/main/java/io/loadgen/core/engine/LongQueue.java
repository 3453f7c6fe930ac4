package io.loadgen.core.engine;

/** A FIFO of primitive longs in a ring that grows on demand. Not thread-safe. */
final class LongQueue {
    private long[] ring = new long[64];
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(long v) {
        if (size == ring.length) {
            long[] bigger = new long[ring.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = ring[(head + i) % ring.length];
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + size) % ring.length] = v;
        size++;
    }

    long poll() {
        if (size == 0) {
            throw new IllegalStateException("empty");
        }
        long v = ring[head];
        head = (head + 1) % ring.length;
        size--;
        return v;
    }
}
