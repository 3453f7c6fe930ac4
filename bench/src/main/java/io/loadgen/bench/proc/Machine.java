package io.loadgen.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about this machine for a report's header. */
public final class Machine {
    private Machine() {
    }

    /** @return the load average over 1, 5 and 15 minutes, "0.52/0.40/0.31", or "?" */
    public static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + "/" + f[1] + "/" + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** @return the processors available to this JVM */
    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** @return the JVM's name and version, "OpenJDK 64-Bit Server VM 17.0.13" */
    public static String jvm() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.version");
    }

    /** @return the path of this JVM's java launcher */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * @param tool a program's name
     * @return its path on the PATH (or in /usr/sbin and /sbin, where nginx lives), or null
     */
    public static Path which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
