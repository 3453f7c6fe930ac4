package io.loadgen.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThresholdsTest {
    private static final List<String> CLASSES = List.of("cat", "dog", "bird", "fish");

    @Test
    void topKIsBestFirstWithTiesToTheLowerIdAndNaNLast() {
        float[] scores = {0.1f, Float.NaN, 0.4f, 0.4f};
        List<ClassScore> top = ClassScore.topK(scores, 3, CLASSES);
        assertEquals(List.of(new ClassScore(2, "bird", 0.4f), new ClassScore(3, "fish", 0.4f),
                new ClassScore(0, "cat", 0.1f)), top);
        assertEquals(4, ClassScore.topK(scores, 10, CLASSES).size());
        assertEquals(1, ClassScore.topK(scores, 4, CLASSES).get(3).classId());
        assertThrows(IllegalArgumentException.class, () -> ClassScore.topK(scores, 0, CLASSES));
        assertThrows(IllegalArgumentException.class, () -> ClassScore.topK(new float[3], 1, CLASSES));
    }

    @Test
    void filtersATopKListByEachClassThreshold() {
        Thresholds t = Thresholds.parse(List.of("class,threshold", "# birds need more", "bird, 0.5", "0,0.05", ""),
                CLASSES, "test.csv");
        float[] scores = {0.06f, 0.3f, 0.45f, 0.19f};
        List<ClassScore> top = ClassScore.topK(scores, 4, CLASSES);
        // bird (0.45 < 0.5) is dropped; cat passes at 0.06 >= 0.05; dog and fish have no threshold.
        assertEquals(List.of("dog", "fish", "cat"), t.filter(top).stream().map(ClassScore::label).toList());
        assertEquals(t.filter(top), t.topK(scores, 4, CLASSES));
        assertTrue(t.accepts(2, 0.5f));
        assertFalse(t.accepts(2, 0.4999f));
        assertEquals(Float.NEGATIVE_INFINITY, t.threshold(1));
        assertEquals(0.5f, t.toArray(4)[2]);
        assertEquals(Float.NEGATIVE_INFINITY, t.toArray(4)[3]);
        assertFalse(t.isEmpty());
        assertTrue(Thresholds.none().isEmpty());
        assertEquals(top, Thresholds.none().filter(top));
        // NaN = no threshold for cat; dog passes at exactly its threshold; bird and fish are under 0.9.
        assertEquals(List.of("dog", "cat"), Thresholds.of(new float[] {Float.NaN, 0.3f, 0.9f, 0.9f}).filter(top)
                .stream().map(ClassScore::label).toList());
    }

    @Test
    void badLinesAreReportedWithFileAndLine(@TempDir Path dir) throws IOException {
        assertMessage(List.of("cat,0.5", "horse,0.1"), "test.csv line 2: unknown class 'horse'");
        assertMessage(List.of("cat;0.5"), "test.csv line 1: expected 'class,threshold'");
        assertMessage(List.of("cat,high"), "test.csv line 1: threshold 'high' is not a number");
        assertMessage(List.of("7,0.1"), "test.csv line 1: class id 7 is out of range [0, 3]");
        assertMessage(List.of("cat,0.1", "0,0.2"), "test.csv line 2: class 'cat' (id 0) has a threshold already");
        assertMessage(List.of("cat,NaN"), "test.csv line 1: threshold must be finite");
        Path missing = dir.resolve("nope.csv");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Thresholds.read(missing, CLASSES));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        Path ok = Files.writeString(dir.resolve("t.csv"), "dog,0.25\n");
        assertEquals(0.25f, Thresholds.read(ok, CLASSES).threshold(1));
    }

    private static void assertMessage(List<String> lines, String expected) {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> Thresholds.parse(lines, CLASSES, "test.csv"));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
