package io.loadgen.server.http;

import java.util.ArrayList;
import java.util.List;

/** Class labels as responses give them. */
final class Labels {
    private Labels() {
    }

    /** @return {@code labels}, padded to {@code n} with {@code class_<id>} when the model names fewer classes */
    static List<String> padded(List<String> labels, int n) {
        if (labels.size() == n) {
            return labels;
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(i < labels.size() ? labels.get(i) : "class_" + i);
        }
        return out;
    }
}
