package io.loadgen.core.control;

import java.io.Serializable;
import java.time.Duration;

/**
 * A glance at a load generator.
 *
 * @param state where it stands
 * @param target the URL it drives
 * @param profile the rate profile in force (or planned, when idle), in {@code --profile} syntax
 * @param arrival {@code constant} or {@code poisson}
 * @param currentRate the rate asked for now, requests per second
 * @param runs how many runs have started
 * @param uptime time since the current (or last) run started; zero before the first
 * @param concurrency closed-loop sessions now (or planned), or 0 for open loop
 */
public record RunStatus(RunState state, String target, String profile, String arrival, double currentRate,
        long runs, Duration uptime, int concurrency) implements Serializable {
}
