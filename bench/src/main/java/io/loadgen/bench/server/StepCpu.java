package io.loadgen.bench.server;

/**
 * The CPU of one step of the server benchmark between two {@link CpuSnapshot}s, each figure in per cent of one core
 * (100 = one core busy the whole time).
 *
 * @param toolPct the measured tool: the in-process model JVM, or {@code loadgen run}
 * @param serverPct {@code loadgen serve}, all threads (0 when there is no server)
 * @param serverThreads the server's CPU by thread group, e.g. "tf-ops 120%, http 40%, JIT 15%" ({@link ServerThreads})
 * @param othersPct every other process on the machine but the bench and its children (own time plus reaped children)
 * @param topOthers the two other processes that used the most, e.g. "mvn[123] 80%, java[45] 20%", or "none"
 */
public record StepCpu(double toolPct, double serverPct, String serverThreads, double othersPct, String topOthers) {
}
