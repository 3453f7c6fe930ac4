package io.loadgen.bench.server;

import io.loadgen.server.image.ImageDecoder;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * What the server benchmark runs with: the fixed settings that the in-process run and {@code loadgen serve} share
 * (one worker, TensorFlow intra-op threads 2, inter-op 1), {@code loadgen run}'s fixed settings, and the lengths of
 * the steps, which depend on {@code --quick}.
 *
 * @param quick whether this is the smoke run
 * @param factor the HTTP offered rate as a multiple of the in-process images/s
 * @param connections {@code loadgen run --connections}; {@link #AUTO} for loadgen's own default
 * @param inProcessSeconds the timed part of the in-process run, seconds (20; quick 5)
 * @param settleSeconds the in-process run's untimed predict calls before it, seconds (2; quick 1)
 * @param warmupSeconds {@code loadgen run --warmup}, seconds (5; quick 2)
 * @param durationSeconds {@code loadgen run --duration}, seconds, the warm-up included (20; quick 8)
 * @param decoder what decodes the JPEGs, in the in-process pipeline and in the server ({@code --image-decoder})
 */
public record ServerSettings(boolean quick, double factor, int connections, int inProcessSeconds, int settleSeconds,
        int warmupSeconds, int durationSeconds, ImageDecoder.Kind decoder) {
    /** {@code loadgen serve --workers}. */
    public static final int WORKERS = 1;
    /** TensorFlow's intra-op threads, in process and in the server. */
    public static final int INTRA_OP = 2;
    /** TensorFlow's inter-op threads, in process (the server's default is the same). */
    public static final int INTER_OP = 1;
    /** {@code loadgen serve --max-delay}, and the in-process pipeline's batcher's. */
    public static final Duration MAX_DELAY_DURATION = Duration.ofMillis(5);
    /** {@code loadgen serve --max-delay}, as the flag says it. */
    public static final String MAX_DELAY = MAX_DELAY_DURATION.toMillis() + "ms";
    /** The server's default largest width x height of an image ({@code ServerConfig}), for the in-process decoder. */
    public static final long MAX_PIXELS = 40_000_000L;
    /** {@code loadgen run --max-in-flight}, and the default of {@code --connections}. */
    public static final int MAX_IN_FLIGHT = 64;
    /** {@code --connections 0}: loadgen's default, connections sized from the rate (at least 8). */
    public static final int AUTO = 0;
    /**
     * {@code loadgen run --drain-timeout}: the time the requests still in flight (or waiting in loadgen) get after the
     * schedule ends. Short, as what completes then is outside the measured window anyway.
     */
    public static final String DRAIN_TIMEOUT = "2s";
    /** The goal: HTTP ok/s at least this fraction of the in-process pipeline's images/s (same decoder). */
    public static final double GOAL = 0.90;

    /**
     * @param quick the smoke run's shorter steps
     * @param factor offered HTTP rate / in-process images/s
     * @param connections loadgen's connections, or {@link #AUTO}
     * @return the settings, with the server's default decoder (TensorFlow)
     */
    public static ServerSettings of(boolean quick, double factor, int connections) {
        return of(quick, factor, connections, ImageDecoder.Kind.TENSORFLOW);
    }

    /**
     * @param quick the smoke run's shorter steps
     * @param factor offered HTTP rate / in-process images/s
     * @param connections loadgen's connections, or {@link #AUTO}
     * @param decoder what decodes the JPEGs
     * @return the settings
     */
    public static ServerSettings of(boolean quick, double factor, int connections, ImageDecoder.Kind decoder) {
        return new ServerSettings(quick, factor, connections, quick ? 5 : 20, quick ? 1 : 2, quick ? 2 : 5,
                quick ? 8 : 20, Objects.requireNonNull(decoder));
    }

    /**
     * @param batch the max batch size
     * @return {@code loadgen serve --queue}: 2B + 16
     */
    public int queue(int batch) {
        return queueSize(batch);
    }

    /**
     * @param batch the max batch size
     * @return {@code loadgen serve --queue}, and the in-process pipeline's queue and client threads: 2B + 16
     */
    public static int queueSize(int batch) {
        return 2 * batch + 16;
    }

    /** @return the decoder as {@code --image-decoder} names it: "tensorflow" or "imageio" */
    public String decoderName() {
        return decoderName(decoder);
    }

    /**
     * @param kind a decoder
     * @return its name for {@code --image-decoder}
     */
    public static String decoderName(ImageDecoder.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /**
     * @return the closed-loop HTTP run's warm-up, seconds (10; quick 3): it runs first on a fresh server JVM, so
     *     it warms longer than the open-loop run that follows it on the same server
     */
        public int closedWarmupSeconds() {
        return quick ? 3 : 10;
    }

    /**
     * @return the closed-loop HTTP run's {@code --duration}, seconds, its warm-up included: the warm-up plus as
     *     many measured seconds as the open-loop run has
     */
    public int closedDurationSeconds() {
        return closedWarmupSeconds() + measuredSeconds();
    }

    /** @return the measured part of each {@code loadgen run}, seconds: its duration less its warm-up */
    public int measuredSeconds() {
        return durationSeconds - warmupSeconds;
    }
}
