package io.loadgen.server.image;

/**
 * A rectangle of an image, in pixels from its top-left corner.
 *
 * @param x left edge, {@code >= 0}
 * @param y top edge, {@code >= 0}
 * @param width {@code >= 1}
 * @param height {@code >= 1}
 */
public record Region(int x, int y, int width, int height) {
    /** @throws IllegalArgumentException for a negative corner or an empty size */
    public Region {
        if (x < 0 || y < 0) {
            throw new IllegalArgumentException("x and y must be >= 0, got " + x + ", " + y);
        }
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("width and height must be >= 1, got " + width + "x" + height);
        }
    }

    /** @throws OutsideImageException unless the region lies wholly inside a {@code w x h} image */
    void checkInside(int w, int h) throws OutsideImageException {
        if ((long) x + width > w || (long) y + height > h) {
            throw new OutsideImageException("region [" + x + ", " + y + ", " + width + ", " + height
                    + "] reaches outside the " + w + "x" + h + " image");
        }
    }

    /** A region does not lie inside its image. */
    public static final class OutsideImageException extends BadImageException {
        private static final long serialVersionUID = 1L;

        public OutsideImageException(String message) {
            super(message);
        }
    }
}
