package io.loadgen.core.engine;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.loadgen.core.metrics.GeneratorLoad;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Measures what the generator costs over a run's measured window: the CPU time of its threads and of the process
 * (from the JVM's management beans) and the stop-the-world GC pauses (from GC notifications). Thread-safe.
 */
final class GeneratorMonitor implements AutoCloseable {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final EngineThreads threads;
    private final List<Registration> registrations = new ArrayList<>();
    private final List<long[]> pauses = new ArrayList<>(); // {end nanoTime, duration nanos}
    private Map<Long, Long> threadCpuAtStart = Map.of();
    private long processCpuAtStart;
    private long startNanos = Long.MIN_VALUE;
    private long endNanos = Long.MAX_VALUE;
    private GeneratorLoad atEnd;

    private record Registration(NotificationEmitter emitter, NotificationListener listener) {
    }

    GeneratorMonitor(EngineThreads threads) {
        this.threads = threads;
        if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter && isPausing(gc.getName())) {
                NotificationListener l = this::onGc;
                emitter.addNotificationListener(l, null, null);
                registrations.add(new Registration(emitter, l));
            }
        }
    }

    /** Collectors whose notifications are concurrent cycles rather than pauses. */
    private static boolean isPausing(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return !n.contains("concurrent") && !n.contains("cycles") && !n.equals("zgc");
    }

    private void onGc(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                (CompositeData) n.getUserData());
        long nanos = info.getGcInfo().getDuration() * 1_000_000L;
        synchronized (this) {
            pauses.add(new long[] {System.nanoTime(), nanos});
        }
    }

    /** The measured window starts now: CPU counts from here. */
    synchronized void markStart() {
        startNanos = System.nanoTime();
        processCpuAtStart = processCpu();
        Map<Long, Long> m = new HashMap<>();
        for (Thread t : threads.all()) {
            long c = THREADS.getThreadCpuTime(t.getId());
            if (c >= 0) {
                m.put(t.getId(), c);
            }
        }
        threadCpuAtStart = m;
    }

    /** The measured window ends now: {@link #load()} reports up to here from now on. */
    synchronized void markEnd() {
        if (startNanos != Long.MIN_VALUE && atEnd == null) {
            atEnd = measure(System.nanoTime());
            endNanos = System.nanoTime();
        }
    }

    /** @return the cost from the start of the window to its end (or to now, while it goes on) */
    synchronized GeneratorLoad load() {
        if (atEnd != null) {
            return atEnd;
        }
        return startNanos == Long.MIN_VALUE ? GeneratorLoad.NONE : measure(System.nanoTime());
    }

    private GeneratorLoad measure(long now) {
        double wall = Math.max(1, now - startNanos);
        double engine = 0;
        String busiest = "";
        double busiestCpu = 0;
        for (Thread t : threads.all()) {
            long c = THREADS.getThreadCpuTime(t.getId());
            if (c < 0) {
                continue;
            }
            double used = (c - threadCpuAtStart.getOrDefault(t.getId(), 0L)) / wall;
            engine += used;
            if (used > busiestCpu) {
                busiestCpu = used;
                busiest = t.getName();
            }
        }
        long count = 0;
        long total = 0;
        long max = 0;
        for (long[] p : pauses) {
            if (p[0] >= startNanos && p[0] - p[1] <= Math.min(now, endNanos)) {
                count++;
                total += p[1];
                max = Math.max(max, p[1]);
            }
        }
        double process = (processCpu() - processCpuAtStart) / wall;
        return new GeneratorLoad(Runtime.getRuntime().availableProcessors(), Math.max(0, process),
                engine, busiest, Math.min(1, busiestCpu), count, Duration.ofNanos(total), Duration.ofNanos(max));
    }

    private static long processCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    @Override
    public synchronized void close() {
        for (Registration r : registrations) {
            try {
                r.emitter().removeNotificationListener(r.listener());
            } catch (ListenerNotFoundException gone) {
                // already removed
            }
        }
        registrations.clear();
    }
}
