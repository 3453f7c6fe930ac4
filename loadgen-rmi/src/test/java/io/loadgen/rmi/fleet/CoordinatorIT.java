package io.loadgen.rmi.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.control.RunState;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.testing.LoopbackServer;
import io.loadgen.rmi.RemoteHash;
import io.loadgen.rmi.RemoteLogin;
import io.loadgen.rmi.RemoteLoadControl;
import io.loadgen.rmi.RmiExporter;
import java.io.InvalidClassException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.rmi.registry.LocateRegistry;
import java.rmi.server.RemoteObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Agents in this JVM behind real RMI exporters on loopback, a real coordinator, a real HTTP target. */
class CoordinatorIT {
    private static final Duration INTERVAL = Duration.ofMillis(500);
    private LoopbackServer server;
    private final List<Agent> agents = new ArrayList<>();
    private final List<RmiExporter> exporters = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = LoopbackServer.ok();
    }

    @AfterEach
    void stop() {
        exporters.forEach(RmiExporter::close);
        agents.forEach(Agent::close);
        server.close();
    }

    /** @return an agent whose generator drives the loopback server, whatever flags it is sent */
    private AgentEndpoint agent(String id) throws Exception {
        Agent a = new Agent(id, args -> LoadGenerator.builder(Workload.builder(server.uri("/" + String.join("/",
                args))).build()).engine(EngineConfig.custom().recordInterval(INTERVAL).warmup(io.loadgen.core.engine.Warmup.NONE).build())
                .build());
        agents.add(a);
        RmiExporter x = RmiExporter.exportAgent(a, 0, InetAddress.getLoopbackAddress(), null, null);
        exporters.add(x);
        return new AgentEndpoint("127.0.0.1", x.port());
    }

    private CoordinatorConfig.Builder config(List<AgentEndpoint> endpoints) {
        return CoordinatorConfig.builder(endpoints, List.of("fleet"), server.uri("/fleet").toString(), INTERVAL)
                .lead(Duration.ofMillis(500)).lease(Duration.ofSeconds(3));
    }

    @Test
    void twoAgentsOfWeights3And1SplitTheScheduleAndTheMergeIsTheirSum() throws Exception {
        List<AgentEndpoint> two = List.of(agent("a"), agent("b"));
        try (Coordinator c = Coordinator.connect(config(two).weights(List.of(3, 1)).build())) {
            assertEquals(RunState.IDLE, c.status().state());
            c.start(new RunPlan(new ConstantRate(400), Arrival.CONSTANT, 1, Duration.ofSeconds(3)));
            assertTrue(c.awaitEnd(Duration.ofSeconds(60)), "the run ends by itself");
            RunSummary s = c.summary();
            assertEquals("completed", s.state());
            List<Coordinator.AgentReport> reports = c.agents();
            assertEquals("slices [0, 1, 2] of 4", reports.get(0).share());
            assertEquals("slice 3 of 4", reports.get(1).share());
            long a = reports.get(0).summary().counts().sent();
            long b = reports.get(1).summary().counts().sent();
            assertEquals(s.counts().sent(), a + b, "the merge is the agents' sum");
            assertEquals(server.count(), a + b, "the server saw what they sent");
            assertEquals(1200, a + b, 12, "400/s for 3 s");
            assertEquals(3.0, (double) a / b, 0.1, "weights 3 and 1: " + a + " and " + b);
            assertEquals(s.counts().completed(), s.latency().count(), "every request's latency is in the merge");
        }
    }

    @Test
    void oneCoordinatorRunsTwiceAndAnAgentOfAnotherIntervalIsRefused() throws Exception {
        List<AgentEndpoint> two = List.of(agent("a"), agent("b"));
        try (Coordinator c = Coordinator.connect(config(two).build())) {
            for (int run = 1; run <= 2; run++) {
                c.start(new RunPlan(new ConstantRate(200), Arrival.CONSTANT, run, Duration.ofSeconds(1)));
                assertTrue(c.awaitEnd(Duration.ofSeconds(60)), "run " + run + " ends");
                assertEquals("completed", c.summary().state(), "run " + run);
                assertEquals(200, c.summary().counts().scheduled(), "run " + run + ": its own requests only");
            }
            assertEquals(2, c.status().runs());
        }
        Agent odd = new Agent("odd", args -> LoadGenerator.builder(Workload.builder(server.uri("/odd")).build())
                .engine(EngineConfig.custom().recordInterval(Duration.ofMillis(250)).warmup(
                        io.loadgen.core.engine.Warmup.NONE).build()).build());
        agents.add(odd);
        RmiExporter x = RmiExporter.exportAgent(odd, 0, InetAddress.getLoopbackAddress(), null, null);
        exporters.add(x);
        try (Coordinator c = Coordinator.connect(config(List.of(new AgentEndpoint("127.0.0.1", x.port()))).build())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.start(new RunPlan(
                    new ConstantRate(10), Arrival.POISSON, 1, Duration.ofSeconds(1))));
            assertTrue(e.getMessage().contains("would record every 250 ms, its coordinator every 500 ms"),
                    e.getMessage());
        }
    }

    @Test
    void aCountIsSplitSoThatTheFleetSendsItOnce() throws Exception {
        List<AgentEndpoint> two = List.of(agent("a"), agent("b"));
        try (Coordinator c = Coordinator.connect(config(two).weights(List.of(2, 1)).build())) {
            c.start(new RunPlan(new ConstantRate(300), Arrival.POISSON, 1, Duration.ofSeconds(60), 0, Duration.ZERO,
                    301));
            assertTrue(c.awaitEnd(Duration.ofSeconds(60)), "the count ends the run long before its 60 s");
            assertEquals(301, c.summary().counts().scheduled(), "301 requests in all, not 301 per agent");
            assertEquals(List.of(201L, 100L), c.agents().stream().map(a -> a.summary().counts().scheduled())
                    .toList(), "split 2:1");
        }
    }

    @Test
    void liveChangesReachEveryAgentAndTheCoordinatorAnswersAsOneEngine() throws Exception {
        List<AgentEndpoint> two = List.of(agent("a"), agent("b"));
        try (Coordinator c = Coordinator.connect(config(two).build())) {
            c.start(new RunPlan(new ConstantRate(100), Arrival.POISSON, 1, null));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.latestInterval().isEmpty()) {
                assertTrue(System.nanoTime() < end, "a merged interval");
                Thread.sleep(20);
            }
            c.setRate(300);
            assertEquals(300, c.currentRate(), 1e-9);
            for (Agent a : agents) {
                assertEquals(150, a.currentRate(), 1e-9, "each agent's share of the new rate, at once");
            }
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> c.setConcurrency(4));
            assertTrue(closed.getMessage().contains("open-loop"), closed.getMessage());
            c.stop();
            assertEquals(RunState.ENDED, c.status().state());
            assertEquals("stopped", c.summary().state());
            assertEquals(RunState.ENDED, agents.get(0).status().state(), "stop reaches the agents");
            assertTrue(c.summary().counts().completed() > 0, c.summary().counts().toString());
        }
    }

    @Test
    void aClosedLoopSplitsItsSessions() throws Exception {
        List<AgentEndpoint> two = List.of(agent("a"), agent("b"));
        try (Coordinator c = Coordinator.connect(config(two).build())) {
            assertThrows(IllegalArgumentException.class, () -> c.start(RunPlan.closed(1, Duration.ZERO, null, 0)),
                    "fewer sessions than agents");
            c.start(RunPlan.closed(5, Duration.ofMillis(10), Duration.ofSeconds(2), 0));
            assertTrue(c.awaitEnd(Duration.ofSeconds(60)));
            assertEquals("completed", c.summary().state());
            assertTrue(c.summary().counts().completed() > 50, c.summary().counts().toString());
            assertEquals(List.of("3 sessions", "2 sessions"), c.agents().stream()
                    .map(Coordinator.AgentReport::share).toList());
            assertEquals(5, c.summary().concurrency());
        }
    }

    @Test
    void anEngineThatIsNotAnAgentOrAClockTooUncertainIsRefusedByName() throws Exception {
        LoadGenerator engine = LoadGenerator.builder(Workload.builder(server.uri("/x")).build()).build();
        try (RmiExporter plain = RmiExporter.export(engine, 0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Coordinator.connect(config(
                    List.of(new AgentEndpoint("127.0.0.1", plain.port()))).build()));
            assertTrue(e.getMessage().contains("not an agent"), e.getMessage());
        }
        AgentEndpoint a = agent("far");
        IllegalStateException far = assertThrows(IllegalStateException.class, () -> Coordinator.connect(config(
                List.of(a)).maxClockUncertainty(Duration.ZERO).build()));
        assertTrue(far.getMessage().startsWith("agent far at " + a + ": its clock offset is uncertain"),
                far.getMessage());
    }

    @Test
    void theAgentsSerialFilterTakesItsStartButNothingElse() throws Exception {
        AgentEndpoint e = agent("f");
        RemoteAgent stub = (RemoteAgent) ((RemoteLogin) LocateRegistry.getRegistry("127.0.0.1", e.port())
                .lookup(RemoteLoadControl.NAME)).open(null);
        Method startShare = RemoteAgent.class.getMethod("startShare", AgentStart.class);
        HashMap<String, String> payload = new HashMap<>();
        payload.put("a", "b");
        RemoteObject handler = (RemoteObject) java.lang.reflect.Proxy.getInvocationHandler(stub);
        Exception x = assertThrows(Exception.class, () -> handler.getRef().invoke(stub, startShare,
                new Object[] {payload}, RemoteHash.of(startShare)));
        Throwable cause = x;
        while (cause != null && !(cause instanceof InvalidClassException)) {
            cause = cause.getCause();
        }
        assertInstanceOf(InvalidClassException.class, cause, "rejected by the filter: " + x);
        assertEquals(RunState.IDLE, stub.hello().state(), "the agent is untouched and still answers");
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> stub.startShare(
                new AgentStart("test", List.of(), new RunPlan(new ConstantRate(10), Arrival.POISSON, 1, null),
                        Agent.wallClockNanos() - 1_000_000_000L, Duration.ofSeconds(3), INTERVAL)));
        assertTrue(past.getMessage().contains("the start time is"), past.getMessage());
    }
}
