package io.loadgen.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * How the processors of this machine are shared when the bundled server runs beside the generator (the demo and the
 * dashboard start it as a child process): the server gets every processor this process may use but the first, and the
 * generator keeps that one to itself, so that the server's work, however heavy, cannot delay the generator's sends.
 * With one processor there is nothing to set apart: both share it (and the generator's verdict says so when it
 * matters).
 *
 * @param serverCpus how many processors the server gets, {@code >= 1}: its JVM and TensorFlow size their threads by it
 * @param serverCpuList the processors the server is pinned to, in {@code taskset -c} form ({@code "1"}, {@code "1-7"}),
 *     or empty when it is not pinned
 * @param total the processors this process may use
 */
record CpuShare(int serverCpus, Optional<String> serverCpuList, int total) {
    /**
     * @param allowed the processors this process may run on (their numbers)
     * @return the share: all but the lowest-numbered processor for the server when there are two or more
     */
    static CpuShare of(List<Integer> allowed) {
        if (allowed.size() < 2) {
            return new CpuShare(1, Optional.empty(), Math.max(1, allowed.size()));
        }
        List<Integer> server = allowed.subList(1, allowed.size());
        return new CpuShare(server.size(), Optional.of(format(server)), allowed.size());
    }

    /** @return the share on this machine: the processors in {@code /proc/self/status}, else as many as the JVM sees */
    static CpuShare here() {
        return of(allowedHere());
    }

    /** @return whether the server is pinned to processors of its own */
    boolean pinned() {
        return serverCpuList.isPresent();
    }

    /** @return e.g. "1 of 2 processors (cpu 1)", or "the 1 processor, shared with the generator" */
    String describe() {
        return serverCpuList.map(l -> serverCpus + " of " + total + " processors (cpu " + l + "), the generator keeps"
                + " the other" + (total - serverCpus == 1 ? "" : "s"))
                .orElse(total == 1 ? "the one processor, shared with the generator"
                        : serverCpus + " processors, not pinned (no taskset): shared with the generator");
    }

    /** @return this share without pinning (where {@code taskset} is missing): the thread counts stay */
    CpuShare unpinned() {
        return new CpuShare(serverCpus, Optional.empty(), total);
    }

    private static List<Integer> allowedHere() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parseList(line.substring(line.indexOf(':') + 1));
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // below: as many as the JVM sees, numbered from 0
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            all.add(i);
        }
        return all;
    }

    /**
     * @param list a CPU list as Linux writes it ({@code "0-3,8,10-11"})
     * @return its numbers, ascending
     * @throws IllegalArgumentException if it is not one
     */
    static List<Integer> parseList(String list) {
        TreeSet<Integer> cpus = new TreeSet<>();
        for (String part : list.trim().split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] range = part.trim().split("-");
            if (range.length > 2) {
                throw new IllegalArgumentException("not a CPU list: '" + list + "'");
            }
            int from = Integer.parseInt(range[0].trim());
            int to = range.length == 2 ? Integer.parseInt(range[1].trim()) : from;
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("not a CPU list: '" + list + "'");
            }
            for (int c = from; c <= to; c++) {
                cpus.add(c);
            }
        }
        return List.copyOf(cpus);
    }

    /** @return {@code cpus} (ascending) as a CPU list, ranges joined: [1, 2, 3, 5] is "1-3,5" */
    static String format(List<Integer> cpus) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < cpus.size()) {
            int j = i;
            while (j + 1 < cpus.size() && cpus.get(j + 1) == cpus.get(j) + 1) {
                j++;
            }
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(cpus.get(i));
            if (j > i) {
                b.append('-').append(cpus.get(j));
            }
            i = j + 1;
        }
        return b.toString();
    }
}
