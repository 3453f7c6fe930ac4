package io.loadgen.server.model;

import java.io.IOException;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Writes tiny real SavedModels (reshape, matMul, softmax) for tests of loading and of the signature handling. */
final class TinyModels {
    private TinyModels() {
    }

    /**
     * Exports {@code softmax(reshape(x) @ W)}, W[i][k] = ((i + 1) * (k + 1) % 7 - 3) / 10.
     *
     * @param declaredShape the input shape the signature declares (e.g. -1 for unknown sizes)
     * @param h, w, c the real input size
     * @param classes output size
     * @param signatureKey signature key
     * @param declaredClasses whether the output shape declares the number of classes
     */
    static Path export(Path dir, Shape declaredShape, int h, int w, int c, int classes, String signatureKey,
            boolean declaredClasses) throws IOException {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> input = tf.withName("x").placeholder(TFloat32.class,
                    Placeholder.shape(declaredShape));
            int n = h * w * c;
            float[] weights = new float[n * classes];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < classes; k++) {
                    weights[i * classes + k] = ((i + 1) * (k + 1) % 7 - 3) / 10f;
                }
            }
            Operand<TFloat32> flat = tf.reshape(input, tf.constant(new int[] {-1, n}));
            Operand<TFloat32> logits = tf.linalg.matMul(flat,
                    tf.constant(Shape.of(n, classes), DataBuffers.of(weights, true, false)));
            if (!declaredClasses) {
                // Hide the static class count behind a reshape to [-1, -1] computed at run time.
                logits = tf.reshape(logits, tf.shape(logits));
                logits = tf.reshape(logits, tf.placeholderWithDefault(tf.constant(new int[] {-1, classes}),
                        Shape.of(2)));
            }
            Operand<TFloat32> out = tf.withName("probs").nn.softmax(logits);
            try (Session s = new Session(g)) {
                SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder(signatureKey)
                        .input("pixels", input).output("scores", out).build()).export();
            }
        }
        return dir;
    }

    /**
     * Like {@link #export(Path)} but the weights are a variable, saved in {@code variables/} and restored on load (as
     * in a Keras {@code model.export()}), and the signature's input key is {@code keras_tensor}.
     */
    static Path exportWithVariables(Path dir) throws IOException {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> input = tf.withName("serving_default_keras_tensor").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 2, 2, 1)));
            float[] weights = new float[4 * 3];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = ((i + 1) * (i % 3 + 1) % 7 - 3) / 10f;
            }
            Operand<TFloat32> kernel = tf.withName("kernel").variable(
                    tf.constant(Shape.of(4, 3), DataBuffers.of(weights, true, false)));
            Operand<TFloat32> flat = tf.reshape(input, tf.constant(new int[] {-1, 4}));
            Operand<TFloat32> out = tf.withName("StatefulPartitionedCall").nn.softmax(tf.linalg.matMul(flat, kernel));
            try (Session s = new Session(g)) {
                s.initialize();
                SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(
                        Signature.builder("serving_default").input("keras_tensor", input).output("output_0", out)
                                .build()).export();
            }
        }
        return dir;
    }

    /** A fully declared 2x2x1 model with 3 classes under {@code serving_default}. */
    static Path export(Path dir) throws IOException {
        return export(dir, Shape.of(-1, 2, 2, 1), 2, 2, 1, 3, "serving_default", true);
    }
}
