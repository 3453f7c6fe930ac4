package io.loadgen.server.image;

import io.loadgen.server.model.Preprocessing;
import java.util.List;

/**
 * Turns encoded JPEG or PNG images into model input as a {@link Preprocessing} says, refusing what is not a whole
 * image of at most the allowed pixels with a {@link BadImageException} whose message is for the client.
 *
 * <p>Implementations are thread-safe: the HTTP threads share one, and each call runs on its caller's thread.
 */
public interface ImageDecoder extends AutoCloseable {
    /** Which implementation decodes. */
    enum Kind {
        /**
         * {@link TensorFlowImageDecoder}: libjpeg-turbo and libpng in a small TensorFlow graph, JPEGs decoded at the
         * largest DCT scale that still covers the model's input; 2.8-4.9x less CPU per JPEG than ImageIO. A JPEG whose
         * compressed data is damaged but complete (libjpeg only warns) is decoded as it comes, not refused.
         */
        TENSORFLOW,
        /** {@link ImagePreprocessor}: ImageIO and Java2D; slower, and refuses any JPEG libjpeg warns about. */
        IMAGEIO
    }

    /**
     * @param kind which implementation
     * @param spec the model's preprocessing
     * @param maxPixels largest width x height accepted, {@code >= 1}
     * @return a new decoder, warmed up (a TensorFlow decoder's first call would otherwise take 10-70 ms)
     */
    static ImageDecoder create(Kind kind, Preprocessing spec, long maxPixels) {
        return switch (kind) {
            case IMAGEIO -> new ImagePreprocessor(spec, maxPixels);
            case TENSORFLOW -> {
                TensorFlowImageDecoder d = new TensorFlowImageDecoder(spec, maxPixels);
                d.warmUp();
                yield d;
            }
        };
    }

    /** @return the preprocessing applied */
    Preprocessing spec();

    /**
     * @param bytes a JPEG or PNG file
     * @return {@code spec().valuesPerImage()} values in HWC order
     * @throws BadImageException when the bytes are empty, not a JPEG or PNG, too large, truncated or corrupt
     */
    float[] preprocess(byte[] bytes) throws BadImageException;

    /**
     * Decodes once and preprocesses each region's crop as if it were the whole image.
     *
     * @param bytes a JPEG or PNG file
     * @param regions crops to take, each wholly inside the image
     * @return one input per region, in order
     * @throws Region.OutsideImageException when a region reaches outside the image
     * @throws BadImageException when the bytes are not a usable image
     */
    List<float[]> preprocessRegions(byte[] bytes, List<Region> regions) throws BadImageException;

    /** Releases native resources; waits for calls in progress. Idempotent. */
    @Override
    void close();
}
