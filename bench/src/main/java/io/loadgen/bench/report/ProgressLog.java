package io.loadgen.bench.report;

import java.util.Locale;

/** Progress lines on stderr, each stamped with the seconds since the bench started: {@code [ 12s] message}. */
public final class ProgressLog {
    private final long startNanos = System.nanoTime();

    /**
     * @param format a {@link String#format} pattern, in the root locale
     * @param args its arguments
     */
    public void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[%3ds] %s%n", elapsedSeconds(), String.format(Locale.ROOT, format, args));
    }

    /** @return whole seconds since this log was made */
    public long elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1_000_000_000L;
    }
}
