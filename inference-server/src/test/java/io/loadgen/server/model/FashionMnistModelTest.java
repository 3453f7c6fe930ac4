package io.loadgen.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed, trained Fashion-MNIST model (models/fashion-mnist) on real test images. */
class FashionMnistModelTest {

    /** models/fashion-mnist, found from the working directory (the module's, under Maven) upwards. */
    static Path committedModel() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("models").resolve("fashion-mnist");
            if (Files.isRegularFile(candidate.resolve(ModelDirectory.SAVED_MODEL_FILE))) {
                return candidate;
            }
        }
        throw new AssertionError("models/fashion-mnist not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void committedModelLoadsWithItsSidecar() {
        try (TensorFlowModel m = TensorFlowModel.load(committedModel())) {
            ModelInfo info = m.info();
            assertEquals("fashion-mnist-cnn", info.name());
            assertTrue(info.trained());
            assertEquals(new Preprocessing(28, 28, 1, 1f / 255, 0f), info.preprocessing());
            assertEquals(FashionMnist.LABELS, info.classes());
            assertEquals(10, m.predict(new float[28 * 28], 1)[0].length);
        }
    }

    @Test
    void classifiesTheFirst500TestImages() throws IOException {
        Assumptions.assumeTrue(FashionMnist.isAvailable(FashionMnist.DEBIAN_DIR),
                "skipped: the Fashion-MNIST test images are not installed in " + FashionMnist.DEBIAN_DIR
                        + " (apt-get install dataset-fashion-mnist)");
        FashionMnist.Split test = FashionMnist.test(FashionMnist.DEBIAN_DIR);
        assertEquals(10_000, test.count());
        assertEquals(28, test.rows());
        try (TensorFlowModel m = TensorFlowModel.load(committedModel())) {
            double accuracy = FashionMnistTrainer.accuracy(m, test, 500);
            assertTrue(accuracy >= 0.85, "accuracy on the first 500 test images: " + accuracy);
        }
    }

    @Test
    void idxReaderChecksMagicAndLength(@TempDir Path dir) throws IOException {
        writeIdx(dir.resolve("t10k-labels-idx1-ubyte.gz"), 0x0801, new int[] {3}, new byte[] {1, 2, 9});
        writeIdx(dir.resolve("t10k-images-idx3-ubyte.gz"), 0x0803, new int[] {3, 1, 2}, new byte[] {0, 1, 2, 3, 4, 5});
        FashionMnist.Split s = FashionMnist.test(dir);
        assertEquals(3, s.count());
        assertEquals(9, s.label(2));
        assertEquals(5, s.pixel(5));

        writeIdx(dir.resolve("t10k-images-idx3-ubyte.gz"), 0x0801, new int[] {3, 1, 2}, new byte[6]);
        IOException e = assertThrows(IOException.class, () -> FashionMnist.test(dir));
        assertTrue(e.getMessage().contains("magic number 801, expected 803"), e.getMessage());
        writeIdx(dir.resolve("t10k-images-idx3-ubyte.gz"), 0x0803, new int[] {3, 1, 2}, new byte[5]);
        e = assertThrows(IOException.class, () -> FashionMnist.test(dir));
        assertTrue(e.getMessage().contains("is truncated"), e.getMessage());
        e = assertThrows(IOException.class, () -> FashionMnist.train(dir));
        assertTrue(e.getMessage().contains("no train-images-idx3-ubyte[.gz] in " + dir), e.getMessage());
    }

    private static void writeIdx(Path file, int magic, int[] dims, byte[] data) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
    }
}
