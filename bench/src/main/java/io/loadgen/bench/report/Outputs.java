package io.loadgen.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where a bench writes: its raw runs in {@code bench/target/<name>-runs/<stamp>/} and its report in
 * {@code bench/results/<name>-<stamp>.md} (or another directory). {@code bench/results/} and {@code target/} are
 * git-ignored.
 *
 * @param root the project's root
 * @param stamp the run's time stamp, yyyyMMdd-HHmmss
 * @param runsDir the raw runs
 * @param resultsFile the report
 */
public record Outputs(Path root, String stamp, Path runsDir, Path resultsFile) {

    /**
     * @param root the project's root
     * @param name "engine" or "server"
     * @param resultsDir where the report goes, or null for bench/results
     * @return the places, with the runs directory created
     * @throws IOException if it cannot be created
     */
    public static Outputs create(Path root, String name, Path resultsDir) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path runs = root.resolve("bench/target/" + name + "-runs/" + stamp);
        Path dir = resultsDir != null ? resultsDir : root.resolve("bench/results");
        Files.createDirectories(runs);
        return new Outputs(root, stamp, runs, dir.resolve(name + "-" + stamp + ".md"));
    }

    /**
     * Prints the report to standard output, writes it to {@link #resultsFile}, and says where it and the raw output
     * are.
     *
     * @param markdown its text
     * @throws IOException if it cannot be written
     */
    public void publishReport(String markdown) throws IOException {
        System.out.println();
        System.out.print(markdown);
        Files.createDirectories(resultsFile.getParent());
        Files.writeString(resultsFile, markdown);
        System.out.println();
        System.out.println("written to " + rel(resultsFile) + "; raw output in " + rel(runsDir));
    }

    /**
     * @param p a path
     * @return it relative to the root when it is under it, for messages
     */
    public String rel(Path p) {
        Path a = p.toAbsolutePath().normalize();
        return a.startsWith(root) ? root.relativize(a).toString() : a.toString();
    }
}
