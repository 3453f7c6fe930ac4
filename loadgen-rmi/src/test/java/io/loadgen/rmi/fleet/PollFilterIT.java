package io.loadgen.rmi.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.control.RunState;
import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.Recorder;
import java.io.InvalidClassException;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.UnmarshalException;
import java.rmi.server.UnicastRemoteObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** A poll's answer crosses a real RMI call on loopback; the poll filter admits a poll and refuses anything else. */
class PollFilterIT {
    /** What a hostile or broken agent could throw back: a class of its own, carrying a map. */
    static final class Smuggled extends RuntimeException {
        final HashMap<String, String> payload = new HashMap<>(java.util.Map.of("a", "b"));

        Smuggled() {
            super("smuggled");
        }
    }

    /** A remote object answering polls. */
    interface Polled extends Remote {
        AgentPoll poll(boolean hostile) throws RemoteException;
    }

    static final class PolledImpl implements Polled {
        @Override
        public AgentPoll poll(boolean hostile) {
            if (hostile) {
                throw new Smuggled();
            }
            Histogram h = Recorder.newHistogram();
            h.recordValue(1234);
            IntervalHistograms hs = new IntervalHistograms(h, h.copy(), h.copy());
            IntervalStats s = new IntervalStats(3, false, Instant.now(), Duration.ofSeconds(1), 100, Counts.ZERO, 0,
                    0, LatencySummary.of(h), LatencySummary.of(h), LatencySummary.of(h), 0);
            return new AgentPoll(RunState.RUNNING, List.of(AgentInterval.of(s, hs)), "a reason");
        }
    }

    @Test
    void aPollIsAdmittedAndAnythingElseIsRefusedOnThePollsThread() throws Exception {
        assertTrue(PollFilter.available(), "this JVM's serial filter factory is the poll filter's");
        PolledImpl impl = new PolledImpl();
        Polled stub = (Polled) UnicastRemoteObject.exportObject(impl, 0);
        try {
            AgentPoll ok = PollFilter.call(() -> stub.poll(false));
            assertEquals(1, ok.intervals().size());
            assertEquals(1234, ok.intervals().get(0).histograms().latency().getMaxValue(), 2);
            assertEquals("a reason", ok.failure().orElseThrow());
            // without the filter the smuggled class arrives as itself; through it, it is refused before it is built
            assertThrows(Smuggled.class, () -> stub.poll(true));
            UnmarshalException refused = assertThrows(UnmarshalException.class,
                    () -> PollFilter.call(() -> stub.poll(true)));
            Throwable cause = refused;
            while (cause != null && !(cause instanceof InvalidClassException)) {
                cause = cause.getCause();
            }
            assertInstanceOf(InvalidClassException.class, cause, "rejected by the filter: " + refused);
            assertTrue(cause.getMessage().contains("REJECTED"), cause.getMessage());
            // and the thread is left as it was: the next plain call is unfiltered again
            assertThrows(Smuggled.class, () -> stub.poll(true));
        } finally {
            UnicastRemoteObject.unexportObject(impl, true);
        }
    }
}
