package io.loadgen.rmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.control.LoadControl;
import io.loadgen.core.control.RunState;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.RateProfiles;
import io.loadgen.core.testing.LoopbackServer;
import java.io.InvalidClassException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.rmi.ServerException;
import java.rmi.UnmarshalException;
import java.rmi.registry.LocateRegistry;
import java.rmi.server.RemoteObject;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real registry on an ephemeral loopback port, a real engine, a real HTTP target. */
class RemoteControlIT {
    private LoopbackServer server;
    private LoadGenerator engine;
    private RmiExporter exporter;
    private LoadControl remote;

    @BeforeEach
    void start() throws Exception {
        server = LoopbackServer.ok();
        engine = LoadGenerator.builder(Workload.builder(server.uri("/rmi")).build())
                .engine(EngineConfig.custom().recordInterval(Duration.ofMillis(500)).build())
                .plan(new RunPlan(new ConstantRate(100), Arrival.CONSTANT, 1, null))
                .build();
        exporter = RmiExporter.export(engine, 0);
        remote = RmiLoadControls.connect("127.0.0.1", exporter.port());
    }

    @AfterEach
    void stop() {
        engine.stop();
        exporter.close();
        server.close();
    }

    private IntervalStats waitForIntervals(int count) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (remote.window().intervals().size() < count) {
            assertTrue(System.nanoTime() < end, "no intervals");
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return remote.latestInterval().orElseThrow();
    }

    @Test
    void aControllerChangesTheRateAndTheAchievedRateFollowsWithinTwoIntervals() throws Exception {
        assertEquals(RunState.IDLE, remote.status().state());
        remote.start();
        waitForIntervals(3);
        assertEquals(100, remote.latestInterval().orElseThrow().achievedRate(), 10);
        int before = remote.window().intervals().size();
        remote.setRate(400);
        assertEquals(400, remote.currentRate(), 1e-9);
        IntervalStats second = waitForIntervals(before + 2);
        assertEquals(400, second.achievedRate(), 40, "achieved rate two intervals after the change");
        remote.setProfile(RateProfiles.parse("steps:50@1s,60@1s"));
        assertEquals(50, remote.currentRate(), 1e-9);
        remote.stop();
        assertEquals(RunState.ENDED, remote.status().state());
        assertEquals("stopped", remote.summary().state());
        assertTrue(remote.summary().counts().ok() > 100);
    }

    @Test
    void stopAndStartCycles() throws Exception {
        for (int i = 1; i <= 3; i++) {
            remote.start(new RunPlan(new ConstantRate(50 * i), Arrival.POISSON, i, Duration.ofSeconds(30)));
            assertEquals(RunState.RUNNING, remote.status().state());
            assertEquals(i, remote.status().runs());
            waitForIntervals(1);
            remote.stop();
            assertEquals(RunState.ENDED, remote.status().state());
        }
        assertEquals("constant:150", remote.status().profile());
    }

    @Test
    void badArgumentsFailWithMessagesThatSayWhatIsAllowed() {
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY, 2e6}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> remote.setRate(bad));
            assertTrue(e.getMessage().contains("[0, 1000000]"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> remote.setProfile(null)).getMessage()
                .contains("constant, steps, ramp, sine or trace"));
        assertThrows(IllegalArgumentException.class, () -> remote.start(null));
        remote.start();
        IllegalStateException running = assertThrows(IllegalStateException.class, remote::start);
        assertTrue(running.getMessage().contains("stop it first"), running.getMessage());
        assertThrows(RemoteControlException.class, () -> RmiLoadControls.connect("127.0.0.1", freePort()));
    }

    @Test
    void theSerialFilterRejectsClassesOutsideTheDtos() throws Exception {
        RemoteLoadControl stub = ((RemoteLogin) LocateRegistry.getRegistry("127.0.0.1", exporter.port())
                .lookup(RemoteLoadControl.NAME)).open(null);
        Method setProfile = RemoteLoadControl.class.getMethod("setProfile",
                io.loadgen.core.schedule.RateProfile.class);
        HashMap<String, String> payload = new HashMap<>();
        payload.put("a", "b");
        // Below the typed stub: send a HashMap where a RateProfile is expected, as a hostile client could.
        RemoteObject handler = (RemoteObject) java.lang.reflect.Proxy.getInvocationHandler(stub);
        Exception e = assertThrows(Exception.class, () -> handler.getRef().invoke(stub, setProfile,
                new Object[] {payload}, RemoteHash.of(setProfile)));
        Throwable cause = e;
        while (cause != null && !(cause instanceof InvalidClassException)) {
            cause = cause.getCause();
        }
        assertTrue(e instanceof ServerException || e instanceof UnmarshalException, e.toString());
        assertInstanceOf(InvalidClassException.class, cause, "rejected by the filter: " + e);
        assertTrue(cause.getMessage().contains("REJECTED"), cause.getMessage());
        assertEquals(RunState.IDLE, remote.status().state(), "the engine is untouched and still answers");
    }

    @Test
    void theRegistryAndTheObjectListenOnLoopbackOnly() throws Exception {
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(n -> Collections.list(n.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
        Assumptions.assumeTrue(external.isPresent(), "this machine has no non-loopback address to try");
        try (Socket s = new Socket()) {
            assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress(external.get(),
                    exporter.port()), 2000), "port " + exporter.port() + " answers on " + external.get());
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), exporter.port()), 2000);
        }
    }

    @Test
    void aSharedTokenGuardsTheControlAndRoutableBindsRequireOne() throws Exception {
        try (RmiExporter guarded = RmiExporter.export(engine, 0, InetAddress.getLoopbackAddress(), "s3cret")) {
            int port = guarded.port();
            SecurityException none = assertThrows(SecurityException.class,
                    () -> RmiLoadControls.connect("127.0.0.1", port));
            assertTrue(none.getMessage().contains("shared token"), none.getMessage());
            SecurityException wrong = assertThrows(SecurityException.class,
                    () -> RmiLoadControls.connect("127.0.0.1", port, "guess"));
            assertTrue(wrong.getMessage().contains("(rmiToken, LOADGEN_RMI_TOKEN or --rmi-token)"),
                    "the message names the flag that exists: " + wrong.getMessage());
            LoadControl ok = RmiLoadControls.connect("127.0.0.1", port, "s3cret");
            assertEquals(RunState.IDLE, ok.status().state());
        }
        IllegalArgumentException open = assertThrows(IllegalArgumentException.class,
                () -> RmiExporter.export(engine, 0, InetAddress.getByName("0.0.0.0"), null));
        assertTrue(open.getMessage().contains("token"), open.getMessage());
    }

    /** RMI's method hash (the JRMP stub protocol): the first 8 bytes of SHA-1 of name + descriptor, little-endian. */

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
