package io.loadgen.server.image;

import io.loadgen.server.image.TensorFlowImageDecoder.Header;

/**
 * The checks done before any decoding, on the raw bytes: the format from its magic bytes, the dimensions from the
 * JPEG frame header (SOFn) or the PNG IHDR chunk, transparency (PNG colour type or a tRNS chunk), and that the file
 * is whole (JPEG end-of-image marker, PNG IEND chunk at the end). Nothing is allocated in proportion to the image.
 */
final class ImageHeaders {
    private ImageHeaders() {
    }

    /** @throws BadImageException when the bytes are empty, not a JPEG or PNG, headerless, empty or truncated */
    static Header read(byte[] b) throws BadImageException {
        if (b == null || b.length == 0) {
            throw new BadImageException("the request body is empty");
        }
        if (b.length >= 3 && u8(b, 0) == 0xff && u8(b, 1) == 0xd8 && u8(b, 2) == 0xff) {
            return jpeg(b);
        }
        if (b.length >= 8 && u8(b, 0) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' && b[4] == '\r'
                && b[5] == '\n' && b[6] == 0x1a && b[7] == '\n') {
            return png(b);
        }
        String other = otherFormat(b);
        if (other != null) {
            throw new BadImageException("unsupported image format " + other + ": send JPEG or PNG");
        }
        throw new BadImageException("the body is not a JPEG or PNG image");
    }

    private static String otherFormat(byte[] b) {
        if (b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return "gif";
        }
        if (b.length >= 14 && b[0] == 'B' && b[1] == 'M') {
            return "bmp";
        }
        if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
            return "tiff";
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return "webp";
        }
        return null;
    }

    private static Header jpeg(byte[] b) throws BadImageException {
        int n = b.length;
        int i = 2;
        while (true) {
            if (i >= n || u8(b, i) != 0xff) {
                throw new BadImageException("the jpeg image cannot be decoded: no frame header (bad marker at byte "
                        + i + ")");
            }
            while (i < n && u8(b, i) == 0xff) {
                i++; // fill bytes
            }
            if (i >= n) {
                throw new BadImageException("the jpeg image is truncated: it ends inside its header");
            }
            int m = u8(b, i++);
            if (m == 0x01 || (m >= 0xd0 && m <= 0xd8)) {
                continue; // markers without a length
            }
            if (m == 0xd9 || m == 0xda) {
                throw new BadImageException("the jpeg image cannot be decoded: no frame header before "
                        + (m == 0xd9 ? "its end" : "its scan data"));
            }
            if (i + 2 > n) {
                throw new BadImageException("the jpeg image is truncated: it ends inside its header");
            }
            int len = u16(b, i);
            if (len < 2 || i + len > n) {
                throw new BadImageException("the jpeg image is truncated or corrupt: a header segment of " + len
                        + " bytes at byte " + i);
            }
            boolean sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
            if (sof) {
                if (len < 8) {
                    throw new BadImageException("the jpeg image cannot be decoded: a short frame header");
                }
                int h = u16(b, i + 3);
                int w = u16(b, i + 5);
                int components = u8(b, i + 7);
                if (w < 1 || h < 1) {
                    throw new BadImageException("the image has no pixels (" + w + "x" + h + ")");
                }
                return new Header("jpeg", w, h, components >= 3, false);
            }
            i += len;
        }
    }

    private static Header png(byte[] b) throws BadImageException {
        int n = b.length;
        if (n < 33 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R' || s32(b, 8) != 13) {
            throw new BadImageException("the png image cannot be decoded: no IHDR chunk first");
        }
        long w = u32(b, 16);
        long h = u32(b, 20);
        int colourType = u8(b, 25);
        if (w < 1 || h < 1 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
            throw new BadImageException("the image has no pixels (" + w + "x" + h + ")");
        }
        boolean alpha = colourType == 4 || colourType == 6;
        // tRNS (palette or single-colour transparency) comes before the first IDAT.
        long i = 33;
        while (!alpha && i + 8 <= n) {
            long len = u32(b, (int) i);
            int t = (int) i + 4;
            if (b[t] == 'I' && b[t + 1] == 'D' && b[t + 2] == 'A' && b[t + 3] == 'T') {
                break;
            }
            if (b[t] == 't' && b[t + 1] == 'R' && b[t + 2] == 'N' && b[t + 3] == 'S') {
                alpha = true;
            }
            i += 12 + len;
        }
        boolean colour = colourType == 2 || colourType == 3 || colourType == 6;
        return new Header("png", (int) w, (int) h, colour, alpha);
    }

    /** @throws BadImageException when a JPEG has no end-of-image marker or a PNG no IEND chunk at its end */
    static void requireWhole(byte[] b, Header h) throws BadImageException {
        if (h.format().equals("jpeg") && !endsWithEoi(b)) {
            // ImageIO and libjpeg fill a truncated JPEG with grey and do not always fail: require the end marker.
            throw new BadImageException("the jpeg image is truncated: no end-of-image marker");
        }
        if (h.format().equals("png") && !endsWithIend(b)) {
            throw new BadImageException("the png image is truncated: no IEND chunk at its end");
        }
    }

    /** @return whether the JPEG end-of-image marker (FF D9) stands at the end, allowing for trailing padding */
    static boolean endsWithEoi(byte[] b) {
        int i = b.length - 1;
        int limit = Math.max(1, b.length - 1024);
        while (i >= limit && (b[i] == 0 || b[i] == '\n' || b[i] == '\r')) {
            i--;
        }
        return i >= 1 && u8(b, i - 1) == 0xff && u8(b, i) == 0xd9;
    }

    /** @return whether a PNG's last chunk is IEND (a zero-length chunk: 00 00 00 00 'IEND' CRC) */
    static boolean endsWithIend(byte[] b) {
        int n = b.length;
        return n >= 12 && b[n - 12] == 0 && b[n - 11] == 0 && b[n - 10] == 0 && b[n - 9] == 0 && b[n - 8] == 'I'
                && b[n - 7] == 'E' && b[n - 6] == 'N' && b[n - 5] == 'D';
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xff;
    }

    private static int u16(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    private static int s32(byte[] b, int i) {
        return (u8(b, i) << 24) | (u8(b, i + 1) << 16) | (u8(b, i + 2) << 8) | u8(b, i + 3);
    }

    private static long u32(byte[] b, int i) {
        return s32(b, i) & 0xffffffffL;
    }
}
