package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.search.SearchFile;
import io.loadgen.core.testing.LoopbackServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code loadgen search} prints its trials and the answer, and writes search.json and report.html. */
class SearchCommandIT {

    @Test
    void searchWritesItsTrialsAndTheCurve(@TempDir Path dir) throws Exception {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.capacity(1, Duration.ofMillis(10)), false)) {
            CommandLine cl = Main.commandLine();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            int code = cl.execute("search", "--target", server.uri("/s").toString(), "--p99", "100ms", "--start",
                    "40", "--precision", "30", "--min-trial", "2s", "--max-trial", "5s", "--out", dir.toString());
            String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, text);
            assertTrue(text.contains("trial  1:") && text.contains("answer:"), text);
            SearchFile s = SearchFile.read(dir.resolve(SearchFile.FILE));
            double answer = s.maxRate();
            // one slot of 10 ms: at most 100 requests/s
            assertTrue(answer >= 40 && answer <= 110, "answer " + answer + " for a capacity of 100/s: " + text);
            assertTrue(s.trials().size() >= 3);
            assertEquals(100.0, s.p99BoundMs(), 1e-9);
            assertTrue(text.contains("generator VALID") || text.contains("generator INVALID"), "each trial's verdict: "
                    + text);
            String report = Files.readString(dir.resolve("report.html"));
            assertTrue(report.contains("Search: p99 latency vs achieved throughput") && report.contains("<svg"));
        }
    }
}
