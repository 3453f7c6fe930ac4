package io.loadgen.core.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Records what happens to each request into the interval of its <em>intended</em> send time, and hands each interval
 * over ({@link #sealReady}) once every request of it is accounted for: sent and ended (answered, failed, timed out),
 * dropped, or left unfinished at the end of the drain. So an interval's counts and percentiles are those of one set
 * of requests, whenever its requests ended: late answers count in the interval the request was due in, and nothing
 * due in one interval is charged to another.
 *
 * <p>Interval {@code k} holds the intended times {@code [origin + k·interval, origin + (k+1)·interval)}, the last one
 * cut at the end of scheduling. Histograms hold microseconds with 3 significant digits and resize themselves.
 *
 * <p>Threading: {@link Bucket}'s recording methods are lock-free and may be called from any thread; the scheduler
 * alone calls {@link #closeArrivalsBefore} and {@link #endSchedule}; one thread (the interval clock) calls
 * {@link #sealReady}. Times are {@link System#nanoTime()} readings.
 */
public final class Recorder {
    /** Marks a request that was never written to a connection. */
    public static final long NOT_WRITTEN = Long.MIN_VALUE;

    private static final int DIGITS = 3;

    private final long origin;
    private final long interval;
    private final ConcurrentHashMap<Long, Bucket> open = new ConcurrentHashMap<>();
    /** No request with an intended time before this will arrive any more (published by the scheduler). */
    private volatile long arrivalsClosedBefore = Long.MIN_VALUE;
    private volatile long scheduleEnd = Long.MAX_VALUE;
    private volatile long nextToSeal;
    private Bucket current;

    /**
     * @param originNanos the start of interval 0: the run's first intended send time
     * @param interval the length of one interval, {@code > 0}
     */
    public Recorder(long originNanos, Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be > 0, got " + interval);
        }
        this.origin = originNanos;
        this.interval = interval.toNanos();
    }

    /** @return the start of interval 0 */
    public long origin() {
        return origin;
    }

    /** @return the interval length in nanoseconds */
    public long intervalNanos() {
        return interval;
    }

    /**
     * The interval a request belongs to. The scheduler's calls, for the newest interval, are served without a map
     * lookup.
     *
     * @param intendedNanos the request's intended send time, {@code >= origin}
     * @return its interval's bucket
     * @throws IllegalStateException if that interval was sealed already (a request arriving after its interval was
     *     closed for arrivals: a bug)
     */
    public Bucket bucketOf(long intendedNanos) {
        Bucket c = current;
        long k = Math.floorDiv(intendedNanos - origin, interval);
        if (c != null && c.index == k) {
            return c;
        }
        if (k < nextToSeal) {
            throw new IllegalStateException("interval " + k + " was sealed before a request due in it arrived");
        }
        Bucket b = open.computeIfAbsent(Math.max(0, k), Bucket::new);
        current = b;
        return b;
    }

    /**
     * The scheduler promises that no request with an intended time before {@code nanos} will arrive any more.
     * Monotonic: a smaller value than before is ignored.
     */
    public void closeArrivalsBefore(long nanos) {
        if (nanos > arrivalsClosedBefore) {
            arrivalsClosedBefore = nanos;
        }
    }

    /** @return the latest {@link #closeArrivalsBefore} bound */
    public long arrivalsClosedBefore() {
        return arrivalsClosedBefore;
    }

    /**
     * Scheduling has ended at {@code nanos}: the last interval is cut there and no request arrives any more.
     */
    public void endSchedule(long nanos) {
        scheduleEnd = Math.max(origin, nanos);
        arrivalsClosedBefore = Long.MAX_VALUE;
    }

    /** @return the end of scheduling, or {@link Long#MAX_VALUE} while it goes on */
    public long scheduleEnd() {
        return scheduleEnd;
    }

    /** @return the number of intervals sealed so far: the index of the next one to seal */
    public long sealed() {
        return nextToSeal;
    }

    /** @return whether scheduling has ended and every interval up to its end is sealed */
    public boolean finished() {
        long end = scheduleEnd;
        return end != Long.MAX_VALUE && origin + nextToSeal * interval >= end;
    }

    /** @return the intervals begun and not yet sealed */
    public int unsealed() {
        return open.size();
    }

    /**
     * What the clock reads at the end of each interval.
     *
     * @param inFlight requests sent and not yet ended
     * @param queued requests waiting in the client
     * @param concurrency closed-loop sessions, or 0 in open loop
     */
    public record Gauge(int inFlight, int queued, int concurrency) {
    }

    /**
     * Seals, in order, every interval that has ended, is closed for arrivals and has every request accounted for.
     * Reads the gauges of each interval whose end has passed since the last call. Call from one thread.
     *
     * @param nowNanos the time now
     * @param gauges reads in flight, queued and the target rate now
     * @return the intervals sealed by this call, oldest first (often none)
     */
    public List<Sealed> sealReady(long nowNanos, java.util.function.Supplier<Gauge> gauges) {
        long end = scheduleEnd;
        long closed = arrivalsClosedBefore;
        // Gauges first, for every interval whose end has passed, whether or not it can be sealed yet.
        long last = Math.floorDiv(Math.min(nowNanos, end) - origin, interval);
        Gauge gauge = null;
        for (long k = nextToSeal; k <= last; k++) {
            long s = origin + k * interval;
            if (s >= end || Math.min(s + interval, end) > nowNanos) {
                break;
            }
            Bucket b = open.computeIfAbsent(k, Bucket::new);
            if (b.gauge == null) {
                if (gauge == null) {
                    gauge = gauges.get();
                }
                b.gauge = gauge;
            }
        }
        List<Sealed> out = new ArrayList<>();
        while (true) {
            long k = nextToSeal;
            long s = origin + k * interval;
            if (s >= end) {
                break;
            }
            long e = Math.min(s + interval, end);
            if (e > nowNanos || e > closed) {
                break;
            }
            Bucket b = open.get(k);
            if (b == null || b.gauge == null || !b.resolved()) {
                break;
            }
            out.add(b.seal(s, e - s));
            open.remove(k);
            nextToSeal = k + 1;
        }
        return out;
    }

    /**
     * One interval's requests. Recording methods may be called from any thread; each request's calls happen in its
     * order: {@link #scheduled}, then {@link #dropped} or ({@link #waited} and) {@link #sent}, then {@link #ended}
     * or {@link #unfinished}.
     */
    public static final class Bucket {
        private final long index;
        private final LongAdder scheduled = new LongAdder();
        private final LongAdder sent = new LongAdder();
        private final LongAdder dropped = new LongAdder();
        private final LongAdder waited = new LongAdder();
        private final LongAdder unfinished = new LongAdder();
        private final LongAdder endedBeforeScheduleEnd = new LongAdder();
        private final LongAdder shed = new LongAdder();
        private final LongAdder[] ended = new LongAdder[Outcome.values().length];
        private final ConcurrentHistogram latency = histogram();
        private final ConcurrentHistogram service = histogram();
        private final ConcurrentHistogram lag = histogram();
        private volatile Gauge gauge;

        private Bucket(long index) {
            this.index = index;
            for (int i = 0; i < ended.length; i++) {
                ended[i] = new LongAdder();
            }
        }

        private static ConcurrentHistogram histogram() {
            ConcurrentHistogram h = new ConcurrentHistogram(DIGITS);
            h.setAutoResize(true);
            return h;
        }

        /** @return the interval's number */
        public long index() {
            return index;
        }

        /**
         * The request's intended time came and the scheduler dispatched it.
         *
         * @param lagNanos dispatch time minus intended send time
         */
        public void scheduled(long lagNanos) {
            lag.recordValue(micros(lagNanos));
            scheduled.increment();
        }

        /** The request will not be sent: no in-flight slot and no room to wait, or the run ended first. */
        public void dropped() {
            dropped.increment();
        }

        /** The request waited in the client for an in-flight slot before it was sent. */
        public void waited() {
            waited.increment();
        }

        /** The request was handed to the transport. */
        public void sent() {
            sent.increment();
        }

        /**
         * The request ended with an outcome: answered (any status) or failed (timeouts included), at its elapsed
         * time from the intended send; service time from the write when it was written.
         *
         * @param outcome how it ended
         * @param intendedNanos its intended send time
         * @param writtenNanos when its head was written, or {@link #NOT_WRITTEN}
         * @param endNanos when it ended
         * @param beforeScheduleEnd whether it ended before scheduling ended
         */
        public void ended(Outcome outcome, long intendedNanos, long writtenNanos, long endNanos,
                boolean beforeScheduleEnd) {
            record(intendedNanos, writtenNanos, endNanos);
            if (beforeScheduleEnd) {
                endedBeforeScheduleEnd.increment();
            }
            ended[outcome.ordinal()].increment();
        }

        /**
         * The request's answer was 429 or 503: the server shed it ({@link ErrorCounts#shed()}). Called before
         * {@link #ended}, once.
         */
        public void shed() {
            shed.increment();
        }

        /**
         * The request was still in flight when the drain ended: recorded at its elapsed time so far.
         *
         * @param intendedNanos its intended send time
         * @param writtenNanos when its head was written, or {@link #NOT_WRITTEN}
         * @param atNanos the end of the drain
         */
        public void unfinished(long intendedNanos, long writtenNanos, long atNanos) {
            record(intendedNanos, writtenNanos, atNanos);
            unfinished.increment();
        }

        private void record(long intended, long written, long end) {
            latency.recordValue(micros(end - intended));
            if (written != NOT_WRITTEN) {
                service.recordValue(micros(end - written));
            }
        }

        /** Whether every scheduled request has been accounted for (read the resolutions after the schedule). */
        private boolean resolved() {
            long s = scheduled.sum();
            long r = dropped.sum() + unfinished.sum();
            for (LongAdder a : ended) {
                r += a.sum();
            }
            return r >= s;
        }

        private Sealed seal(long startNanos, long lengthNanos) {
            long ok = ended[Outcome.OK.ordinal()].sum();
            ErrorCounts errors = new ErrorCounts(
                    ended[Outcome.CONNECT.ordinal()].sum(),
                    ended[Outcome.TIMEOUT.ordinal()].sum(),
                    ended[Outcome.HTTP_4XX.ordinal()].sum(),
                    ended[Outcome.HTTP_5XX.ordinal()].sum(),
                    ended[Outcome.OTHER.ordinal()].sum(),
                    ended[Outcome.CHECK.ordinal()].sum(),
                    shed.sum());
            Counts counts = new Counts(scheduled.sum(), sent.sum(), dropped.sum(), ok + errors.total(), ok, errors,
                    unfinished.sum(), waited.sum());
            return new Sealed(index, startNanos, lengthNanos, counts, new IntervalHistograms(latency, service, lag),
                    gauge, endedBeforeScheduleEnd.sum());
        }
    }

    /**
     * One interval, every request of it accounted for.
     *
     * @param index the interval's number
     * @param startNanos the start of its span of intended times
     * @param lengthNanos the span's length (the last interval's is cut at the end of scheduling)
     * @param counts its requests' counts
     * @param histograms its requests' latency, service time and send lag, in microseconds; no longer written to
     * @param gauge in flight, queued and the target rate, read at the end of its span
     * @param completedBeforeScheduleEnd its requests that ended before scheduling ended
     */
    public record Sealed(long index, long startNanos, long lengthNanos, Counts counts, IntervalHistograms histograms,
            Gauge gauge, long completedBeforeScheduleEnd) {
    }

    static long micros(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 500) / 1000;
    }

    /** @return an empty, self-resizing histogram of microseconds */
    public static Histogram newHistogram() {
        Histogram h = new Histogram(DIGITS);
        h.setAutoResize(true);
        return h;
    }
}
