package io.loadgen.bench.server;

import io.loadgen.bench.proc.ProcStat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The server's threads in groups, by name: Jetty's {@code http-23} and {@code http-7} are both {@code http}; the
 * TensorFlow op threads ({@code model-loader}, after the thread that created them) are {@code tf-ops}; the JVM's
 * compiler threads {@code JIT} and its collector threads {@code GC}.
 */
public final class ServerThreads {
    private ServerThreads() {
    }

    /**
     * @param comm a thread's name as /proc gives it (at most 15 characters)
     * @return its group; "?" for null
     */
    public static String group(String comm) {
        if (comm == null) {
            return "?";
        }
        String g = comm.replaceAll("[-_#\\s]*\\d*$", "");
        if (g.equals("model-loader")) {
            // TensorFlow's op threads are created while the model-loader thread loads and warms the model
            return "tf-ops";
        }
        if (g.startsWith("C1 Compiler") || g.startsWith("C2 Compiler")) {
            return "JIT";
        }
        if (g.startsWith("GC Thread") || g.startsWith("G1 ")) {
            return "GC";
        }
        return g.isEmpty() ? comm : g;
    }

    /**
     * @param start the server's threads at the start, by thread id
     * @param end the server's threads at the end, by thread id (threads that ended in between are not counted)
     * @param coreTicks the ticks of one core over the step (seconds x {@link ProcStat#TICKS_PER_SECOND})
     * @return the groups that used CPU in between, the busiest first, e.g. "tf-ops 120%, http 40%" (100% = one core)
     */
    public static String summary(Map<Long, ProcStat> start, Map<Long, ProcStat> end, double coreTicks) {
        Map<String, Long> groups = new LinkedHashMap<>();
        for (Map.Entry<Long, ProcStat> e : end.entrySet()) {
            ProcStat was = start.get(e.getKey());
            long d = e.getValue().ownTicks() - (was == null ? 0 : was.ownTicks());
            groups.merge(group(e.getValue().name()), d, Long::sum);
        }
        return groups.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100 * e.getValue() / coreTicks))
                .collect(Collectors.joining(", "));
    }
}
