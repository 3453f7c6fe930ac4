package io.loadgen.core.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code timeline.csv} read back: one row per interval, columns by name. */
final class Timeline {
    private final List<String> header;
    private final List<String[]> rows;

    private Timeline(List<String> header, List<String[]> rows) {
        this.header = header;
        this.rows = rows;
    }

    static Timeline read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty()) {
            throw new IOException(file + " is empty");
        }
        List<String> header = Arrays.asList(lines.get(0).split(","));
        List<String[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            if (!l.isBlank()) {
                rows.add(l.split(","));
            }
        }
        return new Timeline(header, rows);
    }

    int size() {
        return rows.size();
    }

    /** @return a numeric column; missing values are NaN */
    /** @return whether the file has this column (older files lack the newer ones) */
    boolean has(String name) {
        return header.contains(name);
    }

    double[] column(String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("timeline.csv has no column " + name);
        }
        double[] v = new double[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            try {
                v[r] = i < row.length ? Double.parseDouble(row[i]) : Double.NaN;
            } catch (NumberFormatException e) {
                v[r] = Double.NaN;
            }
        }
        return v;
    }

    /** @return the seconds at which each interval ends, from the start of the run */
    double[] ends() {
        double[] start = column("elapsed_s");
        double[] length = column("length_s");
        double[] e = new double[start.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = start[i] + length[i];
        }
        return e;
    }
}
