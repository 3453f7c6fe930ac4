package io.loadgen.server.image;

/** Lets tests of other packages make the same crafted PNG header. */
public final class ImagePreprocessorTestAccess {
    private ImagePreprocessorTestAccess() {
    }

    public static byte[] pngHeader(int w, int h) {
        return ImagePreprocessorTest.pngHeader(w, h);
    }
}
