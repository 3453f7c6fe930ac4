package io.loadgen.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fields of {@code /proc/PID/status}, such as {@code VmHWM} (peak resident set). */
public final class ProcStatus {
    private ProcStatus() {
    }

    /**
     * @param pid a process
     * @param key a field whose value is in kB, e.g. "VmHWM" or "VmRSS"
     * @return its value in kB, or 0 if the process is gone or has no such field
     */
    public static long kb(long pid, String key) {
        try {
            return kb(Files.readString(Path.of("/proc", Long.toString(pid), "status")), key);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * @param status the content of a status file
     * @param key a field whose value is in kB
     * @return its value in kB, or 0 if absent
     */
    public static long kb(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
            }
        }
        return 0;
    }
}
