package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.report.SummaryFile;
import io.loadgen.core.testing.LoopbackServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory bounded whatever the payload: a 355 KB body with a per-request id warms and runs in a 48 MiB heap and the
 * process exits; a run that cannot get memory (the target reads nothing, so bodies pile up in the client past its
 * direct memory) fails at once, says so, writes its results and exits 3.
 */
class BoundedMemoryIT {
    private static Path bigPayload(Path dir) throws Exception {
        Path payloads = Files.createDirectories(dir.resolve("payloads"));
        byte[] jpeg = new byte[266_000];
        new Random(7).nextBytes(jpeg);
        Files.write(payloads.resolve("photo.jpg"), jpeg);
        return payloads;
    }

    private static Process loadgen(Path log, String heap, String... args) throws Exception {
        Path jar = Path.of("target", "loadgen-cli.jar");
        assertTrue(Files.exists(jar), "run after package: " + jar.toAbsolutePath());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap, "-XX:MaxDirectMemorySize=32m", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void aBigBodyWithARequestIdWarmsAndRunsInASmallHeapAndTheProcessExits(@TempDir Path tmp) throws Exception {
        Path payloads = bigPayload(tmp);
        try (LoopbackServer server = LoopbackServer.ok()) {
            Path out = tmp.resolve("big");
            Process p = loadgen(tmp.resolve("big.log"), "-Xmx48m", "run", "--target", server.uri("/img").toString(),
                    "--payload", payloads.toString(), "--body", "{\"img_data\": \"${payload_b64}\", \"req_id\":"
                            + " \"${seq}\"}", "--rate", "30", "--duration", "5s", "--out", out.toString(), "-q");
            boolean ended = p.waitFor(2, TimeUnit.MINUTES);
            String log = Files.readString(tmp.resolve("big.log"));
            p.destroyForcibly();
            assertTrue(ended, "the process did not exit: " + log);
            assertEquals(0, p.exitValue(), log);
            SummaryFile s = SummaryFile.read(out.resolve(SummaryFile.FILE));
            assertEquals(s.scheduled(), s.ok(), log);
            assertTrue(s.ok() >= 140, log);
            // warmed by bytes: 64 MiB/s of 355 KB bodies is about 190/s, not 10,000/s
            String warm = s.selfWarm();
            assertTrue(warm.contains("loopback sink"), warm);
            long warmRequests = Long.parseLong(warm.substring(0, warm.indexOf(' ')));
            assertTrue(warmRequests < 1_000, "the self-warm sized by bytes: " + warm);
            assertFalse(log.contains("OutOfMemoryError"), log);
        }
    }

    @Test
    void aRunThatCannotGetMemoryFailsAtOnceSaysSoWritesItsResultsAndExits3(@TempDir Path tmp) throws Exception {
        Path payloads = bigPayload(tmp);
        // a target that accepts and never reads: every body waits in the client's direct memory (32 MiB here)
        try (ServerSocket deaf = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = deaf.accept();
                        s.setReceiveBufferSize(4096);
                        held.add(s);
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "deaf-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            Path out = tmp.resolve("oom");
            Process p = loadgen(tmp.resolve("oom.log"), "-Xmx64m", "run", "--target", "http://127.0.0.1:"
                    + deaf.getLocalPort() + "/img", "--payload", payloads.toString(), "--body", "{\"img_data\": \""
                    + "${payload_b64}\", \"req_id\": \"${seq}\"}", "--rate", "300", "--duration", "60s", "--timeout",
                    "60s", "--warmup", "0", "--out", out.toString(), "-q");
            boolean ended = p.waitFor(90, TimeUnit.SECONDS);
            String log = Files.readString(tmp.resolve("oom.log"));
            p.destroyForcibly();
            for (Socket s : held) {
                s.close();
            }
            assertTrue(ended, "the process did not exit: " + log);
            assertEquals(Main.EXIT_FAILED, p.exitValue(), log);
            assertTrue(log.contains("ran out of memory") && log.contains("-Xmx"), "says what happened: " + log);
            SummaryFile s = SummaryFile.read(out.resolve(SummaryFile.FILE));
            assertTrue(s.state().startsWith("failed"), s.state());
            assertFalse(s.verdict().valid(), "a failed run is not VALID: " + s.verdict());
            assertTrue(s.durationS() < 50, "it failed fast, not at the end of its 60 s: " + s.durationS());
            assertTrue(Files.exists(out.resolve("timeline.csv")) && Files.exists(out.resolve("report.html")), log);
        }
    }
}
