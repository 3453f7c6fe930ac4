package io.loadgen.server.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One scored class of one image.
 *
 * @param classId index into {@link ModelInfo#classes()}
 * @param label the class name
 * @param score the model's score, a probability when the model ends in softmax
 */
public record ClassScore(int classId, String label, float score) {
    public ClassScore {
        Objects.requireNonNull(label, "label");
        if (classId < 0) {
            throw new IllegalArgumentException("classId must be >= 0, got " + classId);
        }
    }

    /**
     * The {@code k} highest scores of one row, best first; ties go to the lower class id, NaN scores come last.
     *
     * @param scores one row of {@link Model#predict}
     * @param k how many to return, {@code >= 1}; fewer are returned when there are fewer classes
     * @param classes class names, {@code classes.size() == scores.length}
     */
    public static List<ClassScore> topK(float[] scores, int k, List<String> classes) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (scores.length != classes.size()) {
            throw new IllegalArgumentException(
                    "scores has " + scores.length + " values but there are " + classes.size() + " classes");
        }
        int m = Math.min(k, scores.length);
        // Partial selection: keep the best m indices in a small sorted array (k is small, classes up to ~1000s).
        int[] best = new int[m];
        int size = 0;
        for (int i = 0; i < scores.length; i++) {
            if (size < m) {
                best[size++] = i;
                siftUp(best, size - 1, scores);
            } else if (better(i, best[m - 1], scores)) {
                best[m - 1] = i;
                siftUp(best, m - 1, scores);
            }
        }
        List<ClassScore> out = new ArrayList<>(m);
        for (int j = 0; j < size; j++) {
            out.add(new ClassScore(best[j], classes.get(best[j]), scores[best[j]]));
        }
        return out;
    }

    private static void siftUp(int[] best, int pos, float[] scores) {
        for (int j = pos; j > 0 && better(best[j], best[j - 1], scores); j--) {
            int t = best[j];
            best[j] = best[j - 1];
            best[j - 1] = t;
        }
    }

    /** Whether class a ranks before class b. */
    private static boolean better(int a, int b, float[] scores) {
        float sa = scores[a];
        float sb = scores[b];
        boolean na = Float.isNaN(sa);
        boolean nb = Float.isNaN(sb);
        if (na != nb) {
            return nb; // a number ranks before NaN
        }
        if (na) {
            return a < b;
        }
        if (sa != sb) {
            return sa > sb;
        }
        return a < b;
    }
}
