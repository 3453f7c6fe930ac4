package io.loadgen.bench.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Output captured from real runs of the tools and benches, in {@code src/test/resources/captured}. */
public final class Captured {
    private Captured() {
    }

    /**
     * @param name a file's name there
     * @return its text
     * @throws IOException if there is no such file
     */
    public static String text(String name) throws IOException {
        try (InputStream in = Captured.class.getResourceAsStream("/captured/" + name)) {
            if (in == null) {
                throw new IOException("no captured output " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
