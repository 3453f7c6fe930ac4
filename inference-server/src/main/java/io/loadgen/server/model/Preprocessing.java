package io.loadgen.server.model;

/**
 * How raw pixels become model input: the image is resized so that its shorter side equals the larger of
 * {@code height} and {@code width}, centre-cropped to {@code height x width}, converted to {@code channels} (1: grey,
 * 3: RGB) and each 8-bit value {@code v} becomes {@code v * scale + offset}.
 *
 * @param height input height in pixels, {@code >= 1}
 * @param width input width in pixels, {@code >= 1}
 * @param channels 1 or 3
 * @param scale multiplier of each 0..255 value (e.g. {@code 1/255} for [0, 1], {@code 2/255} with offset -1 for
 *     [-1, 1])
 * @param offset added after scaling
 */
public record Preprocessing(int height, int width, int channels, float scale, float offset) {
    public Preprocessing {
        if (height < 1 || width < 1 || height > 4096 || width > 4096) {
            throw new IllegalArgumentException("input size must be in [1, 4096], got " + height + "x" + width);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
    }

    /** @return values per image: {@code height * width * channels} */
    public int valuesPerImage() {
        return height * width * channels;
    }
}
