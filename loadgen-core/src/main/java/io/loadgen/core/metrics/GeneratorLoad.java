package io.loadgen.core.metrics;

import java.io.Serializable;
import java.time.Duration;

/**
 * What the generator itself cost over a run's measured window, for its {@link Verdict}.
 *
 * @param cores processors available to the JVM
 * @param processCpu CPU the whole process used, in cores (1.5 = one and a half cores busy on average); the process
 *     may host more than the generator (the bundled server, in {@code loadgen demo})
 * @param generatorCpu CPU the generator's own threads (scheduler, I/O, interval clock) used, in cores
 * @param busiestThread the generator thread that used the most CPU
 * @param busiestThreadCpu its CPU, as a fraction of one core, in [0, 1]
 * @param gcPauses stop-the-world GC pauses in the window
 * @param gcPauseTotal their total length
 * @param gcPauseMax the longest of them
 */
public record GeneratorLoad(int cores, double processCpu, double generatorCpu, String busiestThread,
        double busiestThreadCpu, long gcPauses, Duration gcPauseTotal, Duration gcPauseMax) implements Serializable {
    /** Nothing measured. */
    public static final GeneratorLoad NONE = new GeneratorLoad(Runtime.getRuntime().availableProcessors(), 0, 0, "",
            0, 0, Duration.ZERO, Duration.ZERO);
}
