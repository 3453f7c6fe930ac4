package io.loadgen.bench.fleet;

import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.Warmup;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.rmi.RmiExporter;
import io.loadgen.rmi.fleet.Agent;
import io.loadgen.rmi.fleet.AgentInterval;
import io.loadgen.rmi.fleet.AgentEndpoint;
import io.loadgen.rmi.fleet.Coordinator;
import io.loadgen.rmi.fleet.CoordinatorConfig;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a coordinator costs per interval per agent: N agents (in this process, each behind its own RMI exporter on
 * loopback, so every poll is a real RMI call with serialisation both ways) at a low rate each, against a loopback
 * target, one coordinator over them. Measured: the CPU of the coordinator's own threads (the poller, which merges,
 * and the threads that make the RMI calls and decode the histograms), per merged interval and agent; the bytes of
 * one agent's interval on the wire; the merge's time. The agents' own CPU is not counted.
 *
 * <pre>
 * java -cp bench/target/classes:bench/target/lib/* io.loadgen.bench.fleet.FleetBench TARGET_URL [AGENTS,...] [RATE]
 *     [SECONDS]
 * </pre>
 * Prints one table row per fleet size, markdown.
 */
public final class FleetBench {
    private FleetBench() {
    }

    public static void main(String[] args) throws Exception {
        URI target = URI.create(args[0]);
        List<Integer> sizes = args.length > 1 ? java.util.Arrays.stream(args[1].split(",")).map(Integer::parseInt)
                .toList() : List.of(1, 2, 4, 8);
        double rate = args.length > 2 ? Double.parseDouble(args[2]) : 20;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        System.out.println("| agents | rate /s each | intervals merged | coordinator CPU per interval | per agent"
                + " per interval | bytes per agent interval | merged requests |");
        System.out.println("|--:|--:|--:|--:|--:|--:|--:|");
        for (int n : sizes) {
            row(target, n, rate, seconds);
        }
    }

    private static void row(URI target, int n, double rate, int seconds) throws Exception {
        Duration interval = Duration.ofSeconds(1);
        List<Agent> agents = new ArrayList<>();
        List<RmiExporter> exporters = new ArrayList<>();
        List<AgentEndpoint> endpoints = new ArrayList<>();
        AtomicLong bytes = new AtomicLong();
        AtomicLong sampled = new AtomicLong();
        for (int i = 0; i < n; i++) {
            Agent a = new Agent("bench-" + i, flags -> LoadGenerator.builder(Workload.builder(target).build())
                    .engine(EngineConfig.custom().recordInterval(interval).warmup(Warmup.NONE).build()).build());
            agents.add(a);
            RmiExporter x = RmiExporter.exportAgent(a, 0, InetAddress.getLoopbackAddress(), null, null);
            exporters.add(x);
            endpoints.add(new AgentEndpoint("127.0.0.1", x.port()));
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ConcurrentHashMap<Long, Long> cpuAtStart = new ConcurrentHashMap<>();
        try (Coordinator c = Coordinator.connect(CoordinatorConfig.builder(endpoints, List.of(), target.toString(),
                interval).lead(Duration.ofSeconds(1)).build())) {
            c.addAgentListener((agent, stats, histograms) -> {
                if (sampled.incrementAndGet() % 7 == 0) {
                    bytes.addAndGet(serialized(AgentInterval.of(stats, histograms)));
                }
            });
            c.start(new RunPlan(new ConstantRate(rate * n), Arrival.POISSON, 1, Duration.ofSeconds(seconds)));
            Thread.sleep(2000); // past the start: the coordinator's threads exist now
            snapshot(mx, cpuAtStart);
            long mergedAtStart = c.latestInterval().map(i -> i.index() + 1).orElse(0L);
            c.awaitEnd(Duration.ofSeconds(seconds + 120L));
            long cpu = 0;
            for (long id : mx.getAllThreadIds()) {
                java.lang.management.ThreadInfo t = mx.getThreadInfo(id);
                if (t != null && t.getThreadName().startsWith("loadgen-coordinator")) {
                    cpu += Math.max(0, mx.getThreadCpuTime(id) - cpuAtStart.getOrDefault(id, 0L));
                }
            }
            RunSummary s = c.summary();
            long merged = s.intervals() - mergedAtStart;
            long samples = Math.max(1, sampled.get() / 7);
            System.out.printf(Locale.ROOT, "| %d | %.0f | %d | %.0f us | %.0f us | %d | %d |%n", n, rate, merged,
                    cpu / 1e3 / Math.max(1, merged), cpu / 1e3 / Math.max(1, merged) / n, bytes.get() / samples,
                    s.counts().completed());
        } finally {
            exporters.forEach(RmiExporter::close);
            agents.forEach(Agent::close);
        }
    }

    private static void snapshot(ThreadMXBean mx, ConcurrentHashMap<Long, Long> into) {
        for (long id : mx.getAllThreadIds()) {
            java.lang.management.ThreadInfo t = mx.getThreadInfo(id);
            if (t != null && t.getThreadName().startsWith("loadgen-coordinator")) {
                into.put(id, mx.getThreadCpuTime(id));
            }
        }
    }

    private static int serialized(Object o) {
        try (ByteArrayOutputStream b = new ByteArrayOutputStream(); ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
            out.flush();
            return b.size();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
