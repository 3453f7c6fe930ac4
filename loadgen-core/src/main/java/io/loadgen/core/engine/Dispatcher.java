package io.loadgen.core.engine;

import io.loadgen.core.metrics.ErrorCounts;
import io.loadgen.core.metrics.Outcome;
import io.loadgen.core.metrics.Recorder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Sends due requests within the in-flight limit and applies the overflow policy beyond it: one lane's. The lane's
 * thread alone calls {@link #arrive}, {@link #drainQueue} and {@link #abandon}; completions arrive on the transport's
 * threads (the lane's own, for the lean transport).
 * Waiting requests are kept as their intended send times only (8 bytes each); the request itself is made when it is
 * sent. Every request ends exactly once: answered or failed (on a transport thread), or abandoned as unfinished when
 * the drain ends, whichever comes first.
 */
final class Dispatcher {
    private final Transport transport;
    private final Workload.RequestSource requests;
    private final Recorder recorder;
    private final EngineConfig.Overflow overflow;
    private final int maxQueued;
    private final InFlightLimit limit;
    private final Runnable wakeLane;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Requests in flight, oldest first: an intrusive list guarded by its own lock (uncontended on the lean path). */
    private final LiveList live = new LiveList();
    private final LongQueue queue = new LongQueue();
    private final java.util.function.DoubleSupplier rate;
    private volatile int queued;
    private volatile int peak;
    /** Recent time a request holds its slot (send to end), an exponentially weighted mean; 0 before any end. */
    private volatile double holdNanos;

    private volatile java.util.function.LongConsumer onEnd;

    /**
     * @param transport where requests go
     * @param requests the lane's source of requests
     * @param checks the run's count of its answers against the workload's checks, shared by its lanes
     * @param recorder the lane's recorder
     * @param config overflow policy and client queue bound
     * @param limit the lane's in-flight limit
     * @param wakeLane wakes the lane's thread (a slot came free while requests wait)
     * @param rate the lane's share of the rate asked for now, for the auto limit
     */
    private final ResponseChecks.Tally checks;
    /** Hears a failure that ends the run, not just the request: the JVM out of memory. */
    private volatile java.util.function.Consumer<Throwable> fatal = t -> { };

    Dispatcher(Transport transport, Workload.RequestSource requests, ResponseChecks.Tally checks, Recorder recorder,
            EngineConfig config, InFlightLimit limit, Runnable wakeLane, java.util.function.DoubleSupplier rate) {
        this.rate = rate;
        this.transport = transport;
        this.requests = requests;
        this.checks = checks;
        this.recorder = recorder;
        this.overflow = config.overflow();
        this.maxQueued = config.maxQueued();
        this.limit = limit;
        this.wakeLane = wakeLane;
    }

    /** @param listener hears a request's failure that ends the run: {@link Failures#isFatal} */
    void onFatal(java.util.function.Consumer<Throwable> listener) {
        this.fatal = listener;
    }

    /** @param listener hears the end time of every request that ended (closed-loop sessions) */
    void onEnd(java.util.function.LongConsumer listener) {
        this.onEnd = listener;
    }

    int inFlight() {
        return inFlight.get();
    }

    int queued() {
        return queued;
    }

    /** @return the most requests in flight at once since the last call (for the auto limit), and resets it */
    int takePeak() {
        int p = Math.max(peak, inFlight.get());
        peak = 0;
        return p;
    }

    /**
     * A request's intended time has come: send it, make it wait, or drop it.
     *
     * @param intendedNanos its intended send time
     * @param nowNanos the time now
     * @param lagNanos how late it is being dispatched
     */
    void arrive(long intendedNanos, long nowNanos, long lagNanos) {
        Recorder.Bucket bucket = recorder.bucketOf(intendedNanos);
        bucket.scheduled(lagNanos);
        if (queue.isEmpty() && hasSlot()) {
            send(bucket, intendedNanos);
        } else if (overflow == EngineConfig.Overflow.QUEUE && queue.size() < maxQueued) {
            queue.add(intendedNanos);
            queued = queue.size();
            bucket.waited();
        } else {
            bucket.dropped();
        }
    }

    /**
     * A free slot, growing the auto limit if the load needs it, except while more than {@link ConnectPacing#BURST}
     * requests already wait for a connection in the transport: connections are what they lack, and more slots would
     * only pile requests onto the pool's own queue (HttpClient 5 then fails them recursively, one pending lease per
     * stack frame); they wait here instead, counted as waits.
     */
    private boolean hasSlot() {
        int n = inFlight.get();
        return n < limit.get()
                || (limit.isAuto() && limit.get() < limit.ceiling()
                        && transport.pendingConnections() <= ConnectPacing.BURST
                        && limit.grow(n, rate.getAsDouble(), latencyEstimate()));
    }

    /**
     * @return how long a request holds its slot: the recent mean of those that ended, or the age of the oldest in
     *     flight when that is longer (the target is slowing down, or nothing has ended yet)
     */
    private long latencyEstimate() {
        long now = System.nanoTime();
        return Math.max((long) holdNanos, now - live.oldestSent(now));
    }

    /** Sends waiting requests while there are free slots. */
    void drainQueue() {
        while (!queue.isEmpty() && hasSlot()) {
            long intended = queue.poll();
            queued = queue.size();
            send(recorder.bucketOf(intended), intended);
        }
    }

    /**
     * The drain is over: every waiting request is dropped and every request still in flight is recorded as
     * unfinished at its elapsed time. Their later answers or failures are ignored.
     *
     * @param atNanos now
     * @return {@code {dropped, unfinished}}
     */
    long[] abandon(long atNanos) {
        long dropped = 0;
        while (!queue.isEmpty()) {
            recorder.bucketOf(queue.poll()).dropped();
            dropped++;
        }
        queued = 0;
        long unfinished = 0;
        for (InFlightExchange e : live.snapshot()) {
            if (e.finish()) {
                live.remove(e);
                e.bucket.unfinished(e.intended, e.written, atNanos);
                inFlight.decrementAndGet();
                unfinished++;
            }
        }
        onEnd = null;
        return new long[] {dropped, unfinished};
    }

    private void send(Recorder.Bucket bucket, long intendedNanos) {
        int n = inFlight.incrementAndGet();
        if (n > peak) {
            peak = n;
        }
        bucket.sent();
        Request r = requests.next();
        InFlightExchange e = new InFlightExchange(bucket, intendedNanos, r.payload());
        live.add(e);
        transport.send(r, e);
    }

    private void ended(InFlightExchange e, Outcome outcome, long end) {
        ended(e, outcome, false, end);
    }

    /** @param shed whether the answer was 429 or 503 (the server shed the request) */
    private void ended(InFlightExchange e, Outcome outcome, boolean shed, long end) {
        if (!e.finish()) {
            return;
        }
        if (shed) {
            e.bucket.shed(); // before ended: the interval is sealed once every request of it has ended
        }
        live.remove(e);
        double h = holdNanos;
        holdNanos = h == 0 ? end - e.sentNanos : h + 0.2 * ((end - e.sentNanos) - h);
        e.bucket.ended(outcome, e.intended, e.written, end, end < recorder.scheduleEnd());
        int left = inFlight.decrementAndGet();
        java.util.function.LongConsumer l = onEnd;
        if (l != null) {
            l.accept(end);
            wakeLane.run();
        } else if (left < limit.get() && queued > 0) {
            wakeLane.run();
        }
    }

    /** The requests in flight in the order they were sent; every method takes the list's lock. */
    private static final class LiveList {
        private InFlightExchange head;
        private InFlightExchange tail;

        synchronized void add(InFlightExchange e) {
            e.prev = tail;
            if (tail == null) {
                head = e;
            } else {
                tail.next = e;
            }
            tail = e;
        }

        synchronized void remove(InFlightExchange e) {
            if (e.prev == null && head != e) {
                return; // not in the list (removed already)
            }
            if (e.prev == null) {
                head = e.next;
            } else {
                e.prev.next = e.next;
            }
            if (e.next == null) {
                tail = e.prev;
            } else {
                e.next.prev = e.prev;
            }
            e.prev = null;
            e.next = null;
        }

        /** @return when the oldest request in flight was sent, or {@code now} when none is */
        synchronized long oldestSent(long now) {
            return head == null ? now : head.sentNanos;
        }

        synchronized java.util.List<InFlightExchange> snapshot() {
            java.util.List<InFlightExchange> all = new java.util.ArrayList<>();
            for (InFlightExchange e = head; e != null; e = e.next) {
                all.add(e);
            }
            return all;
        }
    }

    private static final AtomicIntegerFieldUpdater<InFlightExchange> STATE =
            AtomicIntegerFieldUpdater.newUpdater(InFlightExchange.class, "state");

    /** One request on its way. */
    private final class InFlightExchange implements Transport.Exchange {
        private final Recorder.Bucket bucket;
        private final long intended;
        private final long sentNanos = System.nanoTime();
        volatile int state;
        private volatile long written = Recorder.NOT_WRITTEN;
        /** Neighbours in {@link LiveList} (guarded by its lock). */
        private InFlightExchange prev;
        private InFlightExchange next;

        private final int payload;

        InFlightExchange(Recorder.Bucket bucket, long intended, int payload) {
            this.bucket = bucket;
            this.intended = intended;
            this.payload = payload;
        }

        /** @return whether this call ended the exchange (the first of answer, failure and abandonment) */
        boolean finish() {
            return STATE.compareAndSet(this, 0, 1);
        }

        @Override
        public void written(long nanos) {
            written = nanos;
        }

        @Override
        public void responded(int status, long nanos) {
            responded(status, null, nanos);
        }

        @Override
        public void responded(int status, byte[] body, long nanos) {
            Outcome o = Outcome.ofStatus(status);
            if (!checks.check(status, body, payload) && o == Outcome.OK) {
                o = Outcome.CHECK; // an HTTP error stays one; an answer that fails a check is a check error
            }
            ended(this, o, ErrorCounts.isShed(status), nanos);
        }

        @Override
        public void failed(Throwable cause, long nanos) {
            ended(this, Failures.classify(cause), nanos);
            if (Failures.isFatal(cause)) {
                fatal.accept(cause);
            }
        }
    }
}
