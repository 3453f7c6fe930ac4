package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.core.control.LoadControl;
import io.loadgen.core.testing.LoopbackServer;
import io.loadgen.rmi.RmiLoadControls;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load agents ({@code loadgen agent}, each its own JVM) under one coordinator ({@code loadgen run --agents}, in this
 * JVM) against a loopback server: the load splits and adds up, the merge is exact, a live rate change reaches every
 * agent, and the faults end as they should.
 */
class FleetIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Process> agents = new ArrayList<>();

    /** A {@code loadgen agent} in a JVM of its own, with the port it serves on. */
    private record AgentProcess(Process process, int port) {
        String address() {
            return "127.0.0.1:" + port;
        }
    }

    private AgentProcess agent(String id) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.loadgen.cli.Main", "agent",
                "--rmi-port", "0", "--agent-id", id);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        agents.add(p);
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    int on = line.indexOf(" on 127.0.0.1:");
                    if (line.startsWith("loadgen agent ") && on > 0) {
                        String rest = line.substring(on + " on 127.0.0.1:".length());
                        return Integer.parseInt(rest.substring(0, rest.indexOf(':')));
                    }
                }
                return -1;
            } catch (java.io.IOException e) {
                return -1;
            }
        });
        int n = port.get(60, TimeUnit.SECONDS);
        assertTrue(n > 0, "agent " + id + " printed its port");
        Thread drain = new Thread(() -> {
            try {
                while (r.readLine() != null) {
                    // keep its pipe from filling
                }
            } catch (java.io.IOException e) {
                // it ended
            }
        }, "agent-output-" + id);
        drain.setDaemon(true);
        drain.start();
        return new AgentProcess(p, n);
    }

    @AfterEach
    void killAgents() {
        agents.forEach(Process::destroyForcibly);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitFor(BooleanSupplier condition, Duration atMost, String what) throws Exception {
        long end = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    /** @return the untagged (latency) histograms of a results dir's latency.hlog, added up */
    private static Histogram latencyUnion(Path hlog, Histogram into) throws Exception {
        HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
            if (h.getTag() == null) {
                into.add((Histogram) h);
            }
        }
        return into;
    }

    @Test
    void threeAgentsAt3000PerSecondMergeExactlyAndFollowALiveRateChange(@TempDir Path tmp) throws Exception {
        List<AgentProcess> three = List.of(agent("a0"), agent("a1"), agent("a2"));
        try (LoopbackServer server = LoopbackServer.ok()) {
            int rmi = freePort();
            Path out = tmp.resolve("fleet");
            CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run("run", "--agents",
                    three.get(0).address() + "," + three.get(1).address() + "," + three.get(2).address(),
                    "--target", server.uri("/fleet").toString(), "--rate", "3000", "--arrival", "constant",
                    "--duration", "14s", "--warmup", "0", "--rmi-port", Integer.toString(rmi), "-q", "--out",
                    out.toString()));
            // the coordinator is a LoadControl over RMI, as one engine is
            LoadControl fleet = null;
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (fleet == null) {
                try {
                    fleet = RmiLoadControls.connect("127.0.0.1", rmi);
                } catch (io.loadgen.rmi.RemoteControlException e) {
                    assertTrue(System.nanoTime() < until && !run.isDone(), "the coordinator serves RMI: "
                            + (run.isDone() ? run.get().out() + run.get().err() : e.toString()));
                    Thread.sleep(100);
                }
            }
            LoadControl f = fleet;
            waitFor(() -> f.latestInterval().map(i -> i.index() >= 4).orElse(false), Duration.ofSeconds(60),
                    "four merged intervals");
            assertTrue(f.window().aggregate() != null, "the merged window");
            assertTrue(f.status().target().contains("3 agents"), f.status().toString());
            // the merged intervals lag the agents' (they merge once every agent has sent its own), so the index seen
            // before the change is a lower bound of where the agents took it, not the place itself
            long notBefore = f.latestInterval().orElseThrow().index();
            Cli.Result ctl = Cli.run("ctl", "--rmi-port", Integer.toString(rmi), "set-rate", "1500");
            assertEquals(0, ctl.code(), ctl.out() + ctl.err());

            Cli.Result r = run.get(120, TimeUnit.SECONDS);
            assertEquals(0, r.code(), r.out() + r.err());
            JsonNode s = JSON.readTree(out.resolve("summary.json").toFile());
            JsonNode agentsNode = s.get("agents");
            assertEquals(3, agentsNode.size(), s.toString());
            long scheduled = 0;
            long sent = 0;
            long completed = 0;
            long ok = 0;
            Histogram union = io.loadgen.core.metrics.Recorder.newHistogram();
            long firstChange = Long.MAX_VALUE;
            long lastChange = -1;
            for (int i = 0; i < 3; i++) {
                JsonNode a = agentsNode.get(i);
                assertEquals("a" + i, a.get("id").asText());
                assertEquals("ended", a.get("state").asText(), a.toString());
                assertEquals("slice " + i + " of 3", a.get("share").asText());
                Path dir = out.resolve("agents").resolve("a" + i);
                JsonNode own = JSON.readTree(dir.resolve("summary.json").toFile());
                scheduled += own.get("scheduled").asLong();
                sent += own.get("sent").asLong();
                completed += own.get("completed").asLong();
                ok += own.get("ok").asLong();
                assertEquals(own.get("sent").asLong(), a.get("sent").asLong());
                latencyUnion(dir.resolve("latency.hlog"), union);
                // every agent's rate followed the change within one interval: its share of 3000/s up to the
                // interval the change fell in, its share of 1500/s from the next on
                List<String> rows = Files.readAllLines(dir.resolve("timeline.csv"));
                long changedAt = -1;
                for (String row : rows.subList(1, rows.size())) {
                    String[] c = row.split(",");
                    long index = Long.parseLong(c[0]);
                    double target = Double.parseDouble(c[4]);
                    if (changedAt < 0 && Math.abs(target - 1000) > 1e-6) {
                        changedAt = index;
                        assertTrue(target >= 500 - 1e-6 && target < 1000, "agent a" + i + " interval " + index
                                + " of the change, between the two shares: " + row);
                    } else if (changedAt < 0) {
                        assertEquals(1000, target, 1e-6, "agent a" + i + " interval " + index + " before: " + row);
                    } else {
                        assertEquals(500, target, 1e-6, "agent a" + i + " interval " + index + " after: " + row);
                    }
                }
                assertTrue(changedAt >= notBefore, "agent a" + i + " took the change in interval " + changedAt
                        + ", not before the merged interval " + notBefore + " seen before it was asked for");
                assertTrue(changedAt < Long.parseLong(rows.get(rows.size() - 1).split(",")[0]), "agent a" + i
                        + " ran at least one whole interval at the new rate: " + rows);
                firstChange = Math.min(firstChange, changedAt);
                lastChange = Math.max(lastChange, changedAt);
            }
            assertTrue(lastChange - firstChange <= 1, "the agents took the change within one interval of each"
                    + " other: intervals " + firstChange + " to " + lastChange);
            assertEquals(scheduled, s.get("scheduled").asLong(), "merged counts are the agents' sum");
            assertEquals(sent, s.get("sent").asLong());
            assertEquals(completed, s.get("completed").asLong());
            assertEquals(ok, s.get("ok").asLong());
            assertEquals(completed, ok, "every request answered: " + s.get("errors"));
            assertEquals(server.count(), sent, "the server saw what the agents sent");
            JsonNode lat = s.get("latency_ms");
            assertEquals(union.getTotalCount(), lat.get("count").asLong(), "the union of the agents' latency.hlog");
            for (String[] p : new String[][] {{"p50", "50"}, {"p99", "99"}, {"p999", "99.9"}}) {
                assertEquals(union.getValueAtPercentile(Double.parseDouble(p[1])) / 1000.0, lat.get(p[0]).asDouble(),
                        0.0005, p[0] + " of the merge equals that of the union");
            }
            assertEquals(union.getMaxValue() / 1000.0, lat.get("max").asDouble(), 0.0005);
            // the rate held: 3000/s in the merged intervals wholly before the change
            List<String> rows = Files.readAllLines(out.resolve("timeline.csv"));
            double sum = 0;
            int n = 0;
            for (String row : rows.subList(1, rows.size())) {
                String[] c = row.split(",");
                long index = Long.parseLong(c[0]);
                if (index >= 1 && index < firstChange) {
                    sum += Double.parseDouble(c[6]);
                    n++;
                }
            }
            assertTrue(n >= 3, "intervals before the change: " + n);
            assertEquals(3000, sum / n, 60, "achieved within 2% of 3000/s over " + n + " intervals");
        }
    }

    @Test
    void anAgentKilledMidRunIsLostTheRunEndsWithExit3AndKeepsTheOthersResults(@TempDir Path tmp) throws Exception {
        AgentProcess a0 = agent("a0");
        AgentProcess a1 = agent("a1");
        try (LoopbackServer server = LoopbackServer.ok()) {
            Path out = tmp.resolve("lost");
            CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run("run", "--agents",
                    a0.address() + "," + a1.address(), "--target", server.uri("/lost").toString(), "--rate", "400",
                    "--duration", "60s", "--warmup", "0", "-q", "--out", out.toString()));
            waitFor(() -> server.count() > 1200, Duration.ofSeconds(60), "the load to run a while");
            a1.process().destroyForcibly(); // SIGKILL
            long killed = System.nanoTime();
            Cli.Result r = run.get(60, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - killed < Duration.ofSeconds(20).toNanos(), "the coordinator ended by"
                    + " itself, well before the run's 60 s");
            assertEquals(3, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("an agent was lost"), r.err());
            JsonNode s = JSON.readTree(out.resolve("summary.json").toFile());
            JsonNode lost = s.get("agents").get(1);
            assertEquals("lost", lost.get("state").asText(), lost.toString());
            assertTrue(lost.get("lost_at_interval").asLong() >= 1, lost.toString());
            assertTrue(lost.get("reason").asText().startsWith("lost: "), lost.toString());
            assertEquals("ended", s.get("agents").get(0).get("state").asText());
            assertEquals("agent a1 lost", s.get("state").asText(), "the run's end says why");
            assertTrue(!s.get("verdict").get("valid").asBoolean() && s.get("verdict").get("reasons").toString()
                    .contains("not sent by the others"), s.get("verdict").toString());
            // the survivor's results and what the lost one delivered before it died are all kept
            JsonNode kept = JSON.readTree(out.resolve("agents").resolve("a0").resolve("summary.json").toFile());
            assertTrue(kept.get("completed").asLong() > 500, kept.toString());
            assertTrue(s.get("completed").asLong() > kept.get("completed").asLong(), "the lost agent's intervals"
                    + " before its loss count too: " + s.get("completed") + " vs " + kept.get("completed"));
            assertTrue(Files.size(out.resolve("agents").resolve("a1").resolve("latency.hlog")) > 0);
            assertTrue(a0.process().isAlive(), "the surviving agent process goes on, idle");
        }
    }

    @Test
    void agentsStopTheirLoadWhenTheCoordinatorIsKilled(@TempDir Path tmp) throws Exception {
        AgentProcess a0 = agent("a0");
        AgentProcess a1 = agent("a1");
        try (LoopbackServer server = LoopbackServer.ok()) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.loadgen.cli.Main", "run", "--agents",
                    a0.address() + "," + a1.address(), "--target", server.uri("/orphan").toString(), "--rate", "300",
                    "--duration", "120s", "--warmup", "0", "--agent-lease", "3s", "-q", "--out",
                    tmp.resolve("orphan").toString());
            pb.redirectErrorStream(true).redirectOutput(tmp.resolve("coordinator.log").toFile());
            Process coordinator = pb.start();
            agents.add(coordinator);
            waitFor(() -> server.count() > 600, Duration.ofSeconds(60), "the load to run a while");
            coordinator.destroyForcibly(); // SIGKILL: no shutdown hook stops the agents
            assertTrue(coordinator.waitFor(10, TimeUnit.SECONDS));
            long killed = System.nanoTime();
            // within the lease (3 s) and a poll, the agents stop; then nothing more arrives
            waitFor(() -> {
                long before = server.count();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return server.count() == before;
            }, Duration.ofSeconds(15), "the agents to stop their load after the lease");
            assertTrue(System.nanoTime() - killed > Duration.ofSeconds(2).toNanos(), "they kept the load up for"
                    + " about the lease, not less");
            long settled = server.count();
            Thread.sleep(2000);
            assertEquals(settled, server.count(), "no orphaned load");
            for (AgentProcess a : List.of(a0, a1)) {
                LoadControl c = RmiLoadControls.connect("127.0.0.1", a.port());
                assertEquals(io.loadgen.core.control.RunState.ENDED, c.status().state());
                assertEquals("lease lapsed", c.summary().state(), "the agent's own summary says why");
            }
        }
    }

    @Test
    void anAgentThatStopsAnsweringIsLostAndWithContinueTheOtherKeepsItsShareToTheEnd(@TempDir Path tmp)
            throws Exception {
        AgentProcess a0 = agent("a0");
        AgentProcess a1 = agent("a1");
        try (LoopbackServer server = LoopbackServer.ok()) {
            Path out = tmp.resolve("frozen");
            CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run("run", "--agents",
                    a0.address() + "," + a1.address(), "--target", server.uri("/frozen").toString(), "--rate", "200",
                    "--arrival", "constant", "--duration", "10s", "--warmup", "0", "--on-agent-loss", "continue",
                    "-q", "--out", out.toString()));
            waitFor(() -> server.count() > 400, Duration.ofSeconds(60), "the load to run a while");
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(a1.process().pid())).start();
            assertEquals(0, stop.waitFor(), "SIGSTOP sent");
            try {
                Cli.Result r = run.get(90, TimeUnit.SECONDS);
                assertEquals(3, r.code(), r.out() + r.err());
                JsonNode s = JSON.readTree(out.resolve("summary.json").toFile());
                assertEquals("completed", s.get("state").asText(), "continue: the run went to its end");
                JsonNode lost = s.get("agents").get(1);
                assertEquals("lost", lost.get("state").asText(), lost.toString());
                assertTrue(lost.get("reason").asText().contains("no answer"), lost.toString());
                JsonNode kept = JSON.readTree(out.resolve("agents").resolve("a0").resolve("summary.json").toFile());
                assertEquals(1000, kept.get("sent").asLong(), 10, "the survivor sent its half of 200/s for 10 s,"
                        + " no more: the lost share is not re-spread");
                assertTrue(s.get("verdict").get("reasons").toString().contains("agent a1 lost"), s.toString());
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(a1.process().pid())).start().waitFor();
            }
        }
    }

    @Test
    void sigtermStopsEveryAgentAndStillWritesTheResults(@TempDir Path tmp) throws Exception {
        AgentProcess a0 = agent("a0");
        try (LoopbackServer server = LoopbackServer.ok()) {
            Path out = tmp.resolve("interrupted");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.loadgen.cli.Main", "run", "--agents",
                    a0.address(), "--target", server.uri("/term").toString(), "--rate", "200", "--duration", "120s",
                    "--warmup", "0", "-q", "--out", out.toString());
            pb.redirectErrorStream(true).redirectOutput(tmp.resolve("coordinator.log").toFile());
            Process coordinator = pb.start();
            agents.add(coordinator);
            waitFor(() -> server.count() > 400, Duration.ofSeconds(60), "the load to run a while");
            coordinator.destroy(); // SIGTERM
            assertTrue(coordinator.waitFor(60, TimeUnit.SECONDS), "the coordinator exits");
            JsonNode s = JSON.readTree(out.resolve("summary.json").toFile());
            assertEquals("stopped", s.get("state").asText(), s.toString());
            assertEquals(1, s.get("agents").size());
            assertEquals(s.get("sent").asLong(), s.get("agents").get(0).get("sent").asLong());
            assertTrue(s.get("completed").asLong() >= 400, s.toString());
            long settled = server.count();
            Thread.sleep(1500);
            assertEquals(settled, server.count(), "the agent stopped with its coordinator, not at its lease");
        }
    }
}
