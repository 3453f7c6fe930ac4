package io.loadgen.server.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default MobileNetV2: built, exported, reloaded, and run for real. */
class DefaultModelTest {
    private static final int VALUES = 224 * 224 * 3;

    @TempDir
    static Path cache;
    static Path dir;
    static TensorFlowModel model;

    @BeforeAll
    static void buildAndLoad() {
        dir = DefaultModel.ensure(cache.resolve(DefaultModel.DIRECTORY_NAME));
        model = TensorFlowModel.load(dir, TensorFlowModel.Options.defaults().withThreads(2, 1));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void ensureBuildsACompleteDirectoryOnceAndAtomically() throws IOException {
        assertEquals(cache.resolve(DefaultModel.DIRECTORY_NAME).toAbsolutePath(), dir);
        for (String f : List.of("saved_model.pb", "loadgen-model.json", "labels.txt")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        long bytes = Files.size(dir.resolve("saved_model.pb"));
        assertTrue(bytes > 13_000_000 && bytes < 15_000_000, "saved_model.pb is " + bytes + " bytes");
        try (Stream<Path> entries = Files.list(cache)) {
            assertEquals(List.of(dir), entries.toList(), "no temporary directory is left behind");
        }
        FileTime built = Files.getLastModifiedTime(dir.resolve("saved_model.pb"));
        assertEquals(dir, DefaultModel.ensure(dir));
        assertEquals(built, Files.getLastModifiedTime(dir.resolve("saved_model.pb")), "not rebuilt");

        ModelSidecar sidecar = ModelSidecar.read(dir.resolve(ModelSidecar.FILE_NAME));
        assertEquals(Boolean.FALSE, sidecar.trained());
        assertEquals("MobileNetV2 1.0 224 with deterministic untrained weights: its answers mean nothing",
                sidecar.description());
        assertEquals(ModelSidecar.PreprocessingSpec.of(new Preprocessing(224, 224, 3, 2f / 255, -1f)),
                sidecar.preprocessing());
    }

    @Test
    void ensureRefusesAnIncompleteDirectory() throws IOException {
        Path junk = Files.createDirectories(cache.resolveSibling(cache.getFileName() + "-junk").resolve("m"));
        Files.writeString(junk.resolve("saved_model.pb"), "half");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> DefaultModel.ensure(junk));
        assertTrue(e.getMessage().contains("is not a complete model"), e.getMessage());
        DefaultModel.deleteRecursively(junk.getParent());
    }

    @Test
    void describesItselfAsUntrained() {
        ModelInfo info = model.info();
        assertEquals(DefaultModel.NAME, info.name());
        assertFalse(info.trained());
        assertEquals(DefaultModel.DESCRIPTION, info.description());
        assertEquals("CPU", info.device());
        assertEquals(new Preprocessing(224, 224, 3, 2f / 255, -1f), info.preprocessing());
        assertEquals(1000, info.classes().size());
        assertEquals("class_0", info.classes().get(0));
        assertEquals("class_999", info.classes().get(999));
        assertSame(Thresholds.none(), model.thresholds());
    }

    @Test
    void sameInputGivesIdenticalOutputAcrossLoadsAndRebuilds(@TempDir Path other) throws IOException {
        float[] image = images(1, 7);
        float[] first = model.predict(image, 1)[0];
        try (TensorFlowModel again = TensorFlowModel.load(dir)) {
            assertArrayEquals(first, again.predict(image, 1)[0], "second load of the same directory");
        }
        DefaultModel.build(other);
        try (TensorFlowModel rebuilt = TensorFlowModel.load(other)) {
            assertArrayEquals(first, rebuilt.predict(image, 1)[0], "a second build from the same seed");
        }
    }

    @Test
    void batchRowsSumToOneAndEqualSingleImageResults() {
        int n = 5;
        float[] pixels = images(n, 11);
        float[][] rows = model.predict(pixels, n);
        assertEquals(n, rows.length);
        for (int i = 0; i < n; i++) {
            assertEquals(1000, rows[i].length);
            double sum = 0;
            for (float v : rows[i]) {
                assertTrue(v >= 0 && v <= 1, "probability " + v);
                sum += v;
            }
            assertEquals(1.0, sum, 1e-4, "row " + i);
            float[] single = model.predict(Arrays.copyOfRange(pixels, i * VALUES, (i + 1) * VALUES), 1)[0];
            assertArrayEquals(single, rows[i], 1e-5f, "row " + i + " of the batch vs the image alone");
        }
        // Different images do get different scores (the weights are not degenerate).
        assertFalse(Arrays.equals(rows[0], rows[1]));
    }

    @Test
    void concurrentPredictionsAreIdentical() throws Exception {
        float[] pixels = images(2, 5);
        float[][] expected = model.predict(pixels, 2);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> model.predict(pixels, 2)));
            }
            for (Future<float[][]> f : results) {
                float[][] rows = f.get(60, TimeUnit.SECONDS);
                assertArrayEquals(expected[0], rows[0]);
                assertArrayEquals(expected[1], rows[1]);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void wrongPixelCountIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.predict(new float[VALUES + 1], 1));
        assertTrue(e.getMessage().contains("expected 150528 values (1 x 224 x 224 x 3), got 150529"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.predict(new float[VALUES], 2));
        assertThrows(IllegalArgumentException.class, () -> model.predict(new float[0], 0));
    }

    @Test
    void warmsUpTheGivenBatchSizes() {
        assertArrayEquals(new int[] {1, 2, 4, 8, 16, 32}, TensorFlowModel.powersOfTwoAnd(32));
        assertArrayEquals(new int[] {1, 2, 4, 8, 12}, TensorFlowModel.powersOfTwoAnd(12));
        assertArrayEquals(new int[] {1}, TensorFlowModel.powersOfTwoAnd(1));
        Duration took = model.warmUp(3);
        assertTrue(took.toNanos() > 0);
        assertThrows(IllegalArgumentException.class, () -> model.warmUp(0));
    }

    /** n images of uniform random bytes, preprocessed to [-1, 1]. */
    private static float[] images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * VALUES];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(256) * (2f / 255) - 1f;
        }
        return px;
    }
}
