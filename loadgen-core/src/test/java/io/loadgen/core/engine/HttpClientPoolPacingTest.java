package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HttpClient 5's pool grows as {@link ConnectPacing} allows: a burst at once, the rest at its rate, never all at once
 * (which opened 10,000 connections at 10,000/s and ran out of heap); a smaller size applies at once.
 */
class HttpClientPoolPacingTest {

    @Test
    void aLargerPoolIsGrantedABurstAtOnceAndTheRestAtThePacedRate() throws Exception {
        HttpClientTransport t = new HttpClientTransport(TransportConfig.DEFAULT, 4, Executors.defaultThreadFactory());
        try {
            long start = System.nanoTime();
            t.resize(1004);
            int first = t.poolMax();
            // at once: the burst, and what the pacer grants while this thread reads it back (PER_MILLI a millisecond;
            // a busy machine can keep this thread from reading for milliseconds)
            long readMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(first >= 4 + 1 && first <= 4 + ConnectPacing.BURST + 2 + ConnectPacing.PER_MILLI * readMs,
                    "granted at once: " + first + " (read back after " + readMs + " ms)");
            long deadline = start + TimeUnit.SECONDS.toNanos(30);
            while (t.poolMax() < 1004 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(1004, t.poolMax(), "the pool reaches the size asked for within 30 s");
            // 1000 connections less the burst, at PER_MILLI a millisecond: it cannot be faster than that
            long fastest = (1000 - ConnectPacing.BURST) / ConnectPacing.PER_MILLI;
            assertTrue(tookMs >= fastest, "grew 1000 in " + tookMs + " ms, faster than the pacing allows ("
                    + fastest + " ms)");

            t.resize(10);
            assertEquals(10, t.poolMax(), "a smaller pool applies at once");
        } finally {
            t.close();
        }
    }
}
