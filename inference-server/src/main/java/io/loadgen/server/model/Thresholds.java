package io.loadgen.server.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-class minimum scores: a prediction whose score is under its class's threshold is not returned. Classes without a
 * threshold accept every score.
 *
 * <p>File format ({@code thresholds.csv}): one {@code class,threshold} line per class; {@code class} is a class name
 * from the labels or a class id; an optional header line {@code class,threshold}, blank lines and lines starting with
 * {@code #} are ignored. Immutable and thread-safe.
 */
public final class Thresholds {
    private static final Thresholds NONE = new Thresholds(new float[0]);

    /** Indexed by class id; NEGATIVE_INFINITY = no threshold. Shorter than the class list when trailing ones have none. */
    private final float[] minScore;

    private Thresholds(float[] minScore) {
        this.minScore = minScore;
    }

    /** @return thresholds that accept everything */
    public static Thresholds none() {
        return NONE;
    }

    /**
     * @param minScores by class id; {@code NaN} or {@code -Infinity} means no threshold for that class
     */
    public static Thresholds of(float[] minScores) {
        float[] copy = new float[minScores.length];
        for (int i = 0; i < copy.length; i++) {
            float v = minScores[i];
            copy[i] = Float.isNaN(v) ? Float.NEGATIVE_INFINITY : v;
        }
        return new Thresholds(copy);
    }

    /**
     * Reads a thresholds CSV.
     *
     * @param file the CSV file
     * @param classes the model's class names, to resolve names and check ids
     * @throws ModelLoadException naming the file and line when it cannot be read or a line is wrong
     */
    public static Thresholds read(Path file, List<String> classes) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read thresholds file " + file + ": " + e, e);
        }
        return parse(lines, classes, file.toString());
    }

    /** Parses thresholds CSV lines; {@code source} names them in error messages. */
    public static Thresholds parse(List<String> lines, List<String> classes, String source) {
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            byName.putIfAbsent(classes.get(i), i);
        }
        float[] min = new float[classes.size()];
        Arrays.fill(min, Float.NEGATIVE_INFINITY);
        boolean[] seen = new boolean[classes.size()];
        boolean first = true;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (n == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            String where = source + " line " + (n + 1);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean header = first && line.replace(" ", "").equalsIgnoreCase("class,threshold");
            first = false;
            if (header) {
                continue;
            }
            int comma = line.lastIndexOf(',');
            if (comma < 0) {
                throw new ModelLoadException(where + ": expected 'class,threshold', got '" + line + "'");
            }
            String cls = line.substring(0, comma).strip();
            String value = line.substring(comma + 1).strip();
            if (cls.length() >= 2 && cls.startsWith("\"") && cls.endsWith("\"")) {
                cls = cls.substring(1, cls.length() - 1);
            }
            Integer id = byName.get(cls);
            if (id == null) {
                try {
                    id = Integer.valueOf(cls);
                } catch (NumberFormatException e) {
                    throw new ModelLoadException(where + ": unknown class '" + cls
                            + "' (neither a label nor a class id)");
                }
                if (id < 0 || id >= classes.size()) {
                    throw new ModelLoadException(where + ": class id " + id + " is out of range [0, "
                            + (classes.size() - 1) + "]");
                }
            }
            float threshold;
            try {
                threshold = Float.parseFloat(value);
            } catch (NumberFormatException e) {
                throw new ModelLoadException(where + ": threshold '" + value + "' is not a number");
            }
            if (!Float.isFinite(threshold)) {
                throw new ModelLoadException(where + ": threshold must be finite, got " + value);
            }
            if (seen[id]) {
                throw new ModelLoadException(where + ": class '" + classes.get(id) + "' (id " + id
                        + ") has a threshold already");
            }
            seen[id] = true;
            min[id] = threshold;
        }
        return new Thresholds(min);
    }

    /** @return the minimum score of a class, {@code -Infinity} when it has none */
    public float threshold(int classId) {
        return classId >= 0 && classId < minScore.length ? minScore[classId] : Float.NEGATIVE_INFINITY;
    }

    /** @return whether a prediction of this class with this score is returned ({@code score >= threshold}) */
    public boolean accepts(int classId, float score) {
        return score >= threshold(classId);
    }

    /**
     * @param classes the model's number of classes
     * @return the minimum score of each class, {@code -Infinity} where it has none (so {@code score < t[c]} rejects)
     */
    public float[] toArray(int classes) {
        float[] out = new float[classes];
        for (int i = 0; i < classes; i++) {
            out[i] = threshold(i);
        }
        return out;
    }

    /** @return whether no class has a threshold */
    public boolean isEmpty() {
        for (float v : minScore) {
            if (v != Float.NEGATIVE_INFINITY) {
                return false;
            }
        }
        return true;
    }

    /** @return the predictions that pass their class's threshold, in the given order (e.g. a top-k list) */
    public List<ClassScore> filter(List<ClassScore> predictions) {
        List<ClassScore> out = new ArrayList<>(predictions.size());
        for (ClassScore p : predictions) {
            if (accepts(p.classId(), p.score())) {
                out.add(p);
            }
        }
        return out;
    }

    /** Top-k of one row then {@link #filter}: what a response returns. */
    public List<ClassScore> topK(float[] scores, int k, List<String> classes) {
        return filter(ClassScore.topK(scores, k, classes));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Thresholds{");
        boolean any = false;
        for (int i = 0; i < minScore.length; i++) {
            if (minScore[i] != Float.NEGATIVE_INFINITY) {
                sb.append(any ? ", " : "").append(i).append('=').append(minScore[i]);
                any = true;
            }
        }
        return sb.append('}').toString();
    }
}
