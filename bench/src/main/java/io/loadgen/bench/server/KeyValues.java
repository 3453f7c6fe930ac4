package io.loadgen.bench.server;

import java.util.HashMap;
import java.util.Map;

/**
 * A line of {@code key=value} words, as {@link io.loadgen.bench.ModelBench} prints them:
 * {@code RESULT batches=52 images=416 seconds=5.012 images_per_s=83.00 ...}. Words without {@code =} (the leading
 * {@code RESULT}) are left out.
 */
public final class KeyValues {
    private final Map<String, String> values;

    private KeyValues(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param line the line
     * @return its pairs
     */
    public static KeyValues parse(String line) {
        Map<String, String> m = new HashMap<>();
        for (String kv : line.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return new KeyValues(m);
    }

    /**
     * @param key a key
     * @return its value as a number, or NaN if it is absent or not a number
     */
    public double number(String key) {
        try {
            return Double.parseDouble(values.get(key));
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * @param key a key
     * @return its value as it is written, if present
     */
    public java.util.Optional<String> text(String key) {
        return java.util.Optional.ofNullable(values.get(key));
    }
}
