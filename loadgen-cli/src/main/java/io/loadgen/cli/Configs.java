package io.loadgen.cli;

import io.loadgen.core.config.LoadGenConfig;
import java.nio.file.Path;
import java.util.Map;

/** Loads the configuration the same way for every command: file, then environment, then flags. */
final class Configs {
    private Configs() {
    }

    /**
     * @param file {@code --config}, or {@code null} for {@code -Dloadgen.conf} or the shipped defaults
     * @param overrides flag values by key
     */
    static LoadGenConfig load(Path file, Map<String, String> overrides) {
        Path f = file;
        if (f == null && System.getProperty("loadgen.conf") != null) {
            f = Path.of(System.getProperty("loadgen.conf"));
        }
        return LoadGenConfig.load(f, System.getenv(), overrides);
    }

    /** Puts a flag's value under its key when the flag was given. */
    static void put(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
