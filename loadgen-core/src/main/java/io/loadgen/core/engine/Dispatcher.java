package io.loadgen.core.engine;

import io.loadgen.core.metrics.Outcome;
import io.loadgen.core.metrics.Recorder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends due requests within the in-flight limit and applies the overflow policy beyond it. The scheduler thread
 * alone calls {@link #arrive}, {@link #drainQueue} and {@link #dropQueued}; completions arrive on transport threads
 * and only decrement the in-flight count and wake the scheduler when requests wait. Waiting requests are kept as
 * their intended send times only (8 bytes each); the request itself is made when it is sent.
 */
final class Dispatcher {
    private final Transport transport;
    private final Workload.RequestSource requests;
    private final Recorder recorder;
    private final EngineConfig.Overflow overflow;
    private final int maxQueued;
    private final Thread scheduler;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongQueue queue = new LongQueue();
    private volatile int maxInFlight;
    private volatile int queued;

    Dispatcher(Transport transport, Workload workload, Recorder recorder, EngineConfig config, int maxInFlight,
            Thread scheduler) {
        this.transport = transport;
        this.requests = workload.newSource();
        this.recorder = recorder;
        this.overflow = config.overflow();
        this.maxQueued = config.maxQueued();
        this.maxInFlight = maxInFlight;
        this.scheduler = scheduler;
    }

    int inFlight() {
        return inFlight.get();
    }

    int queued() {
        return queued;
    }

    int maxInFlight() {
        return maxInFlight;
    }

    void setMaxInFlight(int n) {
        this.maxInFlight = n;
    }

    /** A request's intended time has come: send it, make it wait, or drop it. */
    void arrive(long intendedNanos, long nowNanos) {
        recorder.scheduled(nowNanos - intendedNanos);
        if (queue.isEmpty() && inFlight.get() < maxInFlight) {
            send(intendedNanos);
        } else if (overflow == EngineConfig.Overflow.QUEUE && queue.size() < maxQueued) {
            queue.add(intendedNanos);
            queued = queue.size();
        } else {
            recorder.dropped();
        }
    }

    /** Sends waiting requests while there are free slots. */
    void drainQueue() {
        while (!queue.isEmpty() && inFlight.get() < maxInFlight) {
            long intended = queue.poll();
            queued = queue.size();
            send(intended);
        }
    }

    /** Counts every waiting request as dropped (the run ends before they could be sent). */
    void dropQueued() {
        while (!queue.isEmpty()) {
            queue.poll();
            recorder.dropped();
        }
        queued = 0;
    }

    private void send(long intendedNanos) {
        inFlight.incrementAndGet();
        recorder.sent();
        transport.send(requests.next(), new InFlightExchange(intendedNanos));
    }

    private void ended(Outcome outcome, long intended, long written, long end) {
        recorder.ended(outcome, intended, written, end);
        if (inFlight.decrementAndGet() < maxInFlight && queued > 0) {
            LockSupport.unpark(scheduler);
        }
    }

    /** One request on its way. */
    private final class InFlightExchange implements Transport.Exchange {
        private final long intended;
        private volatile long written = Recorder.NOT_SENT;

        InFlightExchange(long intended) {
            this.intended = intended;
        }

        @Override
        public void written(long nanos) {
            written = nanos;
        }

        @Override
        public void responded(int status, long nanos) {
            ended(Outcome.ofStatus(status), intended, written, nanos);
        }

        @Override
        public void failed(Throwable cause, long nanos) {
            ended(Failures.classify(cause), intended, written, nanos);
        }
    }
}
