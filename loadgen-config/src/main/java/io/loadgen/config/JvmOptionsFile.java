package io.loadgen.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code conf/jvm.options}: the JVM options {@code ./loadgen} starts loadgen with, one per line, {@code #} starting a
 * comment. Read here for what starts loadgen the way the launcher does (the benches, the tests of a fresh JVM); the
 * launcher script reads the same file by itself. Stateless and thread-safe.
 */
public final class JvmOptionsFile {
    private JvmOptionsFile() {
    }

    /**
     * @param file the options file, e.g. {@code conf/jvm.options}
     * @return its options, in order, without comments and blank lines
     * @throws IOException if it cannot be read
     */
    public static List<String> read(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String o = line.replaceAll("#.*", "").trim();
            if (!o.isEmpty()) {
                out.add(o);
            }
        }
        return List.copyOf(out);
    }
}
