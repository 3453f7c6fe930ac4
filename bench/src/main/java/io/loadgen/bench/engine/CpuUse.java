package io.loadgen.bench.engine;

/**
 * CPU over a trial's measured part, in cores (1 = one core busy the whole window).
 *
 * @param windowSeconds the length of the window
 * @param toolCores the tool's process (user + sys, all threads)
 * @param targetCores the target's processes
 * @param otherCores everything else on the machine (busy time from /proc/stat minus the tool, the target and the
 *     bench itself); approximate to a few per cent of a core
 * @param usPerRequest the tool's CPU per completed request, microseconds
 * @param topOthers the other processes that used the most CPU over the whole trial, e.g. "java[12] 60%"
 */
public record CpuUse(double windowSeconds, double toolCores, double targetCores, double otherCores,
        double usPerRequest, String topOthers) {
    /** No figures. */
    public static final CpuUse NONE = new CpuUse(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "");
}
