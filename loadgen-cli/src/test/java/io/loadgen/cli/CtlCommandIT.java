package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.report.SummaryFile;
import io.loadgen.core.testing.LoopbackServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loadgen run --idle --rmi-port P} in its own process, driven by {@code loadgen ctl}. */
class CtlCommandIT {

    private static Cli.Result ctl(int port, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "ctl";
        all[1] = "--rmi-port";
        all[2] = Integer.toString(port);
        all[3] = "--host=127.0.0.1";
        System.arraycopy(args, 0, all, 4, args.length);
        return Cli.run(all);
    }

    @Test
    void anIdleRunIsStartedSteeredAndStoppedFromCtl(@TempDir Path tmp) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path dir = tmp.resolve("remote");
        try (LoopbackServer server = LoopbackServer.ok()) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", Path.of("target", "loadgen-cli.jar").toString(), "run", "--target",
                    server.uri("/ctl").toString(), "--rate", "100", "--duration", "120s", "--idle", "--rmi-port",
                    Integer.toString(port), "--out", dir.toString(), "-q")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("run.log").toFile()).start();
            // Bounded by itself (120 s) even if this JVM dies before the finally below; and ended with this JVM.
            Thread reaper = new Thread(p::destroyForcibly);
            Runtime.getRuntime().addShutdownHook(reaper);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.readString(tmp.resolve("run.log")).contains("remote control:")) {
                    assertTrue(p.isAlive() && System.nanoTime() < deadline, Files.readString(tmp.resolve("run.log")));
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                Cli.Result status = ctl(port, "status");
                assertEquals(0, status.code(), status.err());
                assertTrue(status.out().startsWith("idle"), status.out());
                assertEquals(0, server.count(), "idle: nothing sent before the remote start");

                assertTrue(ctl(port, "start").out().startsWith("running"));
                Cli.Result rate = ctl(port, "set-rate", "300");
                assertTrue(rate.out().contains("rate set: 300.000/s"), rate.out());
                Cli.Result bad = ctl(port, "set-rate", "-3");
                assertEquals(Main.EXIT_USAGE, bad.code());
                assertTrue(bad.err().contains("[0, 1000000]"), bad.err());
                Cli.Result notClosed = ctl(port, "set-concurrency", "4");
                assertEquals(Main.EXIT_USAGE, notClosed.code());
                assertTrue(notClosed.err().contains("open-loop"), notClosed.err());
                // A controller that vanishes mid-call costs the engine nothing: kill one while it watches.
                Process vanishing = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "-jar", Path.of("target", "loadgen-cli.jar").toString(), "ctl", "--rmi-port",
                        Integer.toString(port), "watch").redirectErrorStream(true)
                        .redirectOutput(tmp.resolve("vanishing.log").toFile()).start();
                TimeUnit.MILLISECONDS.sleep(2500);
                vanishing.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                io.loadgen.core.control.LoadControl direct = io.loadgen.rmi.RmiLoadControls.connect("127.0.0.1", port);
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (direct.latestInterval().isEmpty()) { // the engine self-warms before its first interval
                    assertTrue(System.nanoTime() < until, "no interval within 20 s of the start");
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                long seen = direct.latestInterval().orElseThrow().index();
                while (direct.latestInterval().orElseThrow().index() < seen + 2) {
                    assertTrue(System.nanoTime() < until, "no new interval within 20 s after a controller vanished");
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                assertEquals(300, direct.latestInterval().orElseThrow().achievedRate(), 30,
                        "the engine holds its rate after a controller vanished");
                Cli.Result watch = ctl(port, "--intervals", "3", "watch");
                assertEquals(0, watch.code(), watch.err());
                assertEquals(3, watch.out().lines().filter(l -> l.contains("offered")).count(), watch.out());
                assertTrue(ctl(port, "stop").out().startsWith("ended"));
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the run process ends with its run");
            } finally {
                p.destroyForcibly();
                Runtime.getRuntime().removeShutdownHook(reaper);
            }
            SummaryFile s = SummaryFile.read(dir.resolve(SummaryFile.FILE));
            assertEquals("stopped", s.state());
            assertTrue(s.ok() > 200, s.toString());
            assertEquals("constant:300", s.profile());
        }
    }
}
