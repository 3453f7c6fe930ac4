package io.loadgen.bench.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * One trial of one tool against one target: what the tool reported and what its process cost.
 *
 * @param tool the tool's name ("loadgen-lean", "wrk2", ...)
 * @param target the target's name ("nginx", "hello")
 * @param offered the rate asked for, req/s (NaN for a closed loop)
 * @param achieved completed requests per second over the measured part, as the tool counts them
 * @param p50Ms latency median, ms (NaN if not reported)
 * @param p99Ms latency p99, ms: from the intended send time for loadgen, wrk2 and the probe, from the actual send
 *     for h2load and wrk
 * @param sendLagP99Ms send lag p99 (dispatch minus intended send time), ms; NaN when the tool does not report it
 * @param requests requests the tool counted (for the error ratio)
 * @param errors failed requests: socket errors, non-2xx answers, time-outs
 * @param cpu the tool's CPU over the measured part, and what the target and the rest of the machine used
 * @param exit the tool's exit code, or -1 if it timed out or could not be run
 * @param timedOut whether it had to be killed at its time-out
 * @param accounting loadgen's counts from summary.json, or null for other tools
 * @param settings how the tool was run, e.g. "-t2 -c50 -d21s"
 * @param dir where the trial's raw output is
 * @param notes anything odd about the trial (exceptions in the log, an INVALID verdict, a count gap)
 */
public record Measurement(String tool, String target, double offered, double achieved, double p50Ms, double p99Ms,
        double sendLagP99Ms, long requests, long errors, CpuUse cpu, int exit, boolean timedOut,
        Accounting accounting, String settings, Path dir, List<String> notes) {

    public Measurement {
        notes = List.copyOf(notes);
    }

    /** @return errors over requests, 0 when no request was counted */
    public double errorRatio() {
        return requests > 0 ? (double) errors / requests : errors > 0 ? 1 : 0;
    }

    /** @return whether the tool reports send lag */
    public boolean hasSendLag() {
        return !Double.isNaN(sendLagP99Ms);
    }

    /**
     * A trial that produced no figures.
     *
     * @param tool the tool
     * @param target the target
     * @param offered the rate asked for
     * @param exit the exit code, or -1
     * @param timedOut whether it timed out
     * @param settings how it was run
     * @param dir its raw output
     * @param why what went wrong
     * @return a measurement with NaN figures
     */
    public static Measurement failed(String tool, String target, double offered, int exit, boolean timedOut,
            String settings, Path dir, String why) {
        return new Measurement(tool, target, offered, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0,
                CpuUse.NONE, exit, timedOut, null, settings, dir, List.of(why));
    }

    /**
     * loadgen's request counts, from summary.json. Every scheduled request is accounted for when
     * {@code scheduled == ok + errors + dropped + unfinished}.
     *
     * @param scheduled due in the measured window
     * @param sent handed to the transport
     * @param completed ended with an outcome
     * @param ok answered below 400
     * @param errors failed
     * @param dropped never sent
     * @param unfinished still in flight when the drain ended
     */
    public record Accounting(long scheduled, long sent, long completed, long ok, long errors, long dropped,
            long unfinished) {
        /** @return scheduled - (ok + errors + dropped + unfinished): 0 when nothing is lost */
        public long gap() {
            return scheduled - (ok + errors + dropped + unfinished);
        }

        @Override
        public String toString() {
            return "scheduled " + scheduled + ", ok " + ok + ", errors " + errors + ", dropped " + dropped
                    + ", unfinished " + unfinished + (gap() == 0 ? "" : ", gap " + gap());
        }
    }
}
