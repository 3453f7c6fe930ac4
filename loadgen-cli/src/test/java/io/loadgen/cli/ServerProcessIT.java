package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.config.Setting;
import io.loadgen.config.Settings;
import io.loadgen.server.ServerSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled server as the demo and the dashboard start it: a child JVM that never outlives its parent. */
class ServerProcessIT {
    /** The settings of every group, the server's port 0 (a free one) unless {@code flags} says otherwise. */
    static Settings settings(Map<Setting<?>, String> flags) {
        Map<Setting<?>, Settings.FlagValue> f = new LinkedHashMap<>();
        f.put(ServerSettings.SERVER_PORT, new Settings.FlagValue("--port", "0"));
        flags.forEach((s, v) -> f.put(s, new Settings.FlagValue(s.flags().get(0), v)));
        return Settings.load(CliSettings.ALL, null, Map.of(), f);
    }

    @Test
    void itStartsReadyOnItsShareOfTheProcessorsAnswersAndIsGoneWhenClosed(@TempDir Path dir) throws Exception {
        StringWriter said = new StringWriter();
        ServerProcess server = ServerProcess.start(settings(Map.of(ServerSettings.MAX_BATCH, "4")), dir,
                new PrintWriter(said));
        long pid = server.pid();
        try {
            assertTrue(server.isAlive());
            assertEquals("mobilenet_v2_1.0_224-untrained", server.model().path("name").asText());
            assertEquals(4, server.model().path("batching").path("max_batch").asInt(), "its settings are passed");
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.baseUri()
                    .resolve("/v1/classify")).header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers
                    .ofByteArray(DemoCommand.samples().get(0).bytes())).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            Optional<String> affinity = ProcessHandle.of(pid).flatMap(h -> affinity(h.pid()));
            if (server.share().pinned()) {
                assertEquals(server.share().serverCpuList(), affinity, "pinned to its share by taskset");
            }
            assertTrue(Files.readString(dir.resolve("server.properties")).contains("maxBatch=4"));
        } finally {
            server.close();
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "gone after close");
        String log = Files.readString(dir.resolve("server.log"));
        assertTrue(log.contains("ready: model") && log.contains("loadgen serve: stopped"), "it drained: " + log);
    }

    /** @return the CPU list a process may run on, as {@code taskset -pc} prints it */
    private static Optional<String> affinity(long pid) {
        try {
            Process p = new ProcessBuilder("taskset", "-pc", Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return Optional.of(out.substring(out.lastIndexOf(':') + 1).trim());
        } catch (IOException | InterruptedException e) {
            return Optional.empty();
        }
    }

    @Test
    void aPortInUseIsAClearErrorThatNamesThePortAndTheLog(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IOException e = assertThrows(IOException.class, () -> ServerProcess.start(settings(Map.of(
                    ServerSettings.SERVER_PORT, Integer.toString(taken.getLocalPort()))), dir,
                    new PrintWriter(new StringWriter())));
            assertTrue(e.getMessage().contains("exited") && e.getMessage().contains(":" + taken.getLocalPort())
                    && e.getMessage().contains("--port") && e.getMessage().contains("server.log"), e.getMessage());
        }
    }

    @Test
    void aParentKilledOutrightTakesItsServerWithIt(@TempDir Path dir) throws Exception {
        Process parent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServerProcessParent.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        long child = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                StandardCharsets.UTF_8))) {
            List<String> lines = new java.util.ArrayList<>();
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            String line;
            while (child < 0 && (line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("child ")) {
                    child = Long.parseLong(line.substring(6).trim());
                }
                assertTrue(System.nanoTime() < end, "no server in time: " + lines);
            }
            assertTrue(child > 0, "the parent started no server: " + lines);
            assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
            parent.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
            Optional<ProcessHandle> h = ProcessHandle.of(child);
            if (h.isPresent()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (h.get().isAlive() && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                assertFalse(h.get().isAlive(), "the server outlived its parent's SIGKILL by a minute");
            }
        } finally {
            parent.destroyForcibly();
            if (child > 0) {
                ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
