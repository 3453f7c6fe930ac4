package io.loadgen.server.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.tensorflow.ndarray.Shape;

/** Opening model directories: defaults, sidecar, labels, thresholds, and clear errors. Real (tiny) SavedModels. */
class ModelDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void withoutSidecarEverythingComesFromTheSignatureAndDefaults() throws IOException {
        Path dir = TinyModels.export(tmp.resolve("tiny-model"));
        try (TensorFlowModel m = TensorFlowModel.load(dir)) {
            ModelInfo info = m.info();
            assertEquals("tiny-model", info.name());
            assertEquals(new Preprocessing(2, 2, 1, 1f / 255, 0f), info.preprocessing());
            assertEquals(List.of("class_0", "class_1", "class_2"), info.classes());
            assertEquals("CPU", info.device());
            assertTrue(info.trained());
            assertTrue(m.thresholds().isEmpty());
            assertEquals("serving_default", m.signatureKey());
            float[][] rows = m.predict(new float[] {0.1f, 0.2f, 0.3f, 0.4f, 1, 0, 0, 1}, 2);
            assertEquals(2, rows.length);
            assertEquals(3, rows[0].length);
            assertEquals(1.0, rows[1][0] + rows[1][1] + rows[1][2], 1e-6);
        }
    }

    @Test
    void sidecarLabelsAndThresholdsAreUsed() throws IOException {
        Path dir = TinyModels.export(tmp.resolve("m"));
        Files.writeString(dir.resolve("names.txt"), "red\ngreen\nblue\n\n");
        Files.writeString(dir.resolve("min.csv"), "class,threshold\ngreen,0.9\n");
        Files.writeString(dir.resolve(ModelSidecar.FILE_NAME), """
                {"name": "colours", "description": "three colours", "trained": false,
                 "preprocessing": {"scale": "2/255", "offset": -1},
                 "labels": "names.txt", "thresholds": "min.csv", "signature": "serving_default"}
                """);
        try (TensorFlowModel m = TensorFlowModel.load(dir, TensorFlowModel.Options.defaults().withThreads(1, 1))) {
            ModelInfo info = m.info();
            assertEquals("colours", info.name());
            assertEquals("three colours", info.description());
            assertFalse(info.trained());
            assertEquals(new Preprocessing(2, 2, 1, 2f / 255, -1f), info.preprocessing());
            assertEquals(List.of("red", "green", "blue"), info.classes());
            assertEquals(0.9f, m.thresholds().threshold(1));
            assertEquals(Float.NEGATIVE_INFINITY, m.thresholds().threshold(0));
        }
    }

    @Test
    void unknownSizesComeFromTheSidecarAndUnknownClassCountFromARun() throws IOException {
        Path dir = TinyModels.export(tmp.resolve("dyn"), Shape.of(-1, -1, -1, 3), 2, 3, 3, 5, "serving_default",
                false);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> TensorFlowModel.load(dir));
        assertTrue(e.getMessage().contains("leaves the input height unknown"), e.getMessage());
        assertTrue(e.getMessage().contains("preprocessing.height"), e.getMessage());
        Files.writeString(dir.resolve(ModelSidecar.FILE_NAME), "{\"preprocessing\": {\"height\": 2, \"width\": 3}}");
        try (TensorFlowModel m = TensorFlowModel.load(dir)) {
            assertEquals(new Preprocessing(2, 3, 3, 1f / 255, 0f), m.info().preprocessing());
            assertEquals(5, m.info().classes().size());
            assertEquals(5, m.predict(new float[18], 1)[0].length);
        }
    }

    @Test
    void signatureIsChosenByKeyAndMissingKeysAreListed() throws IOException {
        Path dir = TinyModels.export(tmp.resolve("sig"), Shape.of(-1, 2, 2, 1), 2, 2, 1, 3, "classify", true);
        // The only signature is used when serving_default is absent and none was asked for.
        try (TensorFlowModel m = TensorFlowModel.load(dir)) {
            assertEquals("classify", m.signatureKey());
        }
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> TensorFlowModel.load(dir, TensorFlowModel.Options.defaults().withSignatureKey("predict")));
        assertTrue(e.getMessage().contains("has no signature 'predict' (it has [classify])"), e.getMessage());
        Files.writeString(dir.resolve(ModelSidecar.FILE_NAME), "{\"output\": \"logits\"}");
        e = assertThrows(ModelLoadException.class, () -> TensorFlowModel.load(dir));
        assertTrue(e.getMessage().contains("names output 'logits' but signature 'classify' has outputs [scores]"),
                e.getMessage());
    }

    @Test
    void badDirectoriesAreNamed() throws IOException {
        Path missing = tmp.resolve("missing");
        assertError(() -> ModelDirectory.open(missing), missing + " does not exist");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertError(() -> ModelDirectory.open(file), file + " is not a directory");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertError(() -> ModelDirectory.open(empty), empty + " is not a SavedModel: it has no saved_model.pb");
        Path corrupt = Files.createDirectories(tmp.resolve("corrupt"));
        Files.writeString(corrupt.resolve("saved_model.pb"), "not a protobuf");
        assertError(() -> TensorFlowModel.load(corrupt), "cannot load the SavedModel in " + corrupt);
    }

    @Test
    void badSidecarsAreNamedWithTheKey() throws IOException {
        Path dir = TinyModels.export(tmp.resolve("m"));
        Path sidecar = dir.resolve(ModelSidecar.FILE_NAME);
        String prefix = "sidecar " + sidecar;
        Files.writeString(sidecar, "{\"name\": \"x\",");
        assertError(() -> ModelDirectory.open(dir), prefix + " is not valid JSON");
        Files.writeString(sidecar, "[1, 2]");
        assertError(() -> ModelDirectory.open(dir), prefix + " must hold a JSON object");
        Files.writeString(sidecar, "{\"nmae\": \"x\"}");
        assertError(() -> ModelDirectory.open(dir), prefix + ": unknown key 'nmae'");
        Files.writeString(sidecar, "{\"preprocessing\": {\"height\": 2, \"sclae\": 1}}");
        assertError(() -> ModelDirectory.open(dir), prefix + ": unknown key 'preprocessing.sclae'");
        Files.writeString(sidecar, "{\"preprocessing\": {\"height\": \"two\"}}");
        assertError(() -> ModelDirectory.open(dir), prefix + ": 'preprocessing.height' must be a positive integer");
        Files.writeString(sidecar, "{\"preprocessing\": {\"channels\": 2}}");
        assertError(() -> ModelDirectory.open(dir), prefix + ": 'preprocessing.channels' must be 1 or 3");
        Files.writeString(sidecar, "{\"trained\": \"yes\"}");
        assertError(() -> ModelDirectory.open(dir), prefix + ": 'trained' must be true or false");
        Files.writeString(sidecar, "{\"labels\": \"../etc/passwd\"}");
        assertError(() -> ModelDirectory.open(dir), prefix + ": 'labels' must name a file inside");
        Files.writeString(sidecar, "{\"labels\": \"nope.txt\"}");
        assertError(() -> ModelDirectory.open(dir), "labels file " + dir.resolve("nope.txt") + " named by " + sidecar
                + " does not exist");
        Files.writeString(sidecar, "{\"preprocessing\": {\"width\": 5}}");
        assertError(() -> TensorFlowModel.load(dir), prefix + ": 'preprocessing.width' is 5 but the SavedModel's "
                + "signature says 2");
    }

    @Test
    void badLabelsAreNamedWithTheLine() throws IOException {
        Path dir = TinyModels.export(tmp.resolve("m"));
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "a\n\nc\n");
        assertError(() -> ModelDirectory.open(dir), "labels file " + labels + ": line 2 is empty");
        Files.writeString(labels, "a\nb\na\n");
        assertError(() -> ModelDirectory.open(dir), "labels file " + labels + ": line 3 repeats 'a' of line 1");
        Files.writeString(labels, "\n\n");
        assertError(() -> ModelDirectory.open(dir), "labels file " + labels + " is empty");
        Files.writeString(labels, "a\nb\n");
        assertError(() -> TensorFlowModel.load(dir), "labels file " + labels + " has 2 labels but the model outputs 3"
                + " classes");
        Files.writeString(labels, "a\nb\nc");
        try (TensorFlowModel m = TensorFlowModel.load(dir)) {
            assertEquals(List.of("a", "b", "c"), m.info().classes());
        }
    }

    @Test
    void predictRejectsWrongInputAndUseAfterClose() throws IOException {
        TensorFlowModel m = TensorFlowModel.load(TinyModels.export(tmp.resolve("m")));
        assertThrows(IllegalArgumentException.class, () -> m.predict(new float[7], 2));
        assertThrows(IllegalArgumentException.class, () -> m.predict(new float[0], 0));
        assertThrows(IllegalArgumentException.class, () -> m.predict(null, 1));
        float[] row = m.predict(new float[4], 1)[0];
        assertArrayEquals(row, m.predict(new float[4], 1)[0]);
        m.close();
        m.close();
        assertThrows(IllegalStateException.class, () -> m.predict(new float[4], 1));
    }

    @Test
    void savedModelWithVariablesIsRestored() throws IOException {
        Path dir = TinyModels.exportWithVariables(tmp.resolve("keras-like"));
        assertTrue(Files.isRegularFile(dir.resolve("variables").resolve("variables.index")));
        float[] pixels = {0.5f, -1, 2, 0.25f};
        try (TensorFlowModel m = TensorFlowModel.load(dir)) {
            assertEquals("serving_default_keras_tensor:0", m.inputName());
            float[] row = m.predict(pixels, 1)[0];
            // softmax(x @ W) computed here: the restored weights are the saved ones, not zeros.
            float[] logits = new float[3];
            for (int k = 0; k < 3; k++) {
                for (int i = 0; i < 4; i++) {
                    int idx = i * 3 + k;
                    logits[k] += pixels[i] * (((idx + 1) * (idx % 3 + 1) % 7 - 3) / 10f);
                }
            }
            double z = Math.exp(logits[0]) + Math.exp(logits[1]) + Math.exp(logits[2]);
            for (int k = 0; k < 3; k++) {
                assertEquals(Math.exp(logits[k]) / z, row[k], 1e-6);
            }
        }
    }

    @Test
    void devicesListTheCpu() {
        List<Devices.Device> devices = Devices.list(TensorFlowModel.Options.defaults().toConfigProto());
        assertTrue(devices.stream().anyMatch(d -> d.type().equals("CPU") && d.shortName().equals("CPU:0")),
                devices.toString());
    }

    private static void assertError(org.junit.jupiter.api.function.Executable call, String expectedStart) {
        ModelLoadException e = assertThrows(ModelLoadException.class, call);
        assertTrue(e.getMessage().contains(expectedStart), "message: " + e.getMessage());
    }
}
