package io.loadgen.oip;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary tensor data extension of the Open Inference Protocol (KServe v2 REST), as Triton documents it
 * (docs/protocol/extension_binary_data.md): a body is the inference request's (or response's) JSON, then the tensors'
 * data one after the other, in the order the JSON names them, each as long as its {@code binary_data_size}
 * parameter; the {@value #HEADER_LENGTH} header gives the JSON's length in bytes. The data is the tensor's elements,
 * row-major and little-endian; a {@code BYTES} element is its length as a 4-byte little-endian unsigned integer,
 * then its bytes.
 *
 * <p>Used by the client, the {@code kserve-v2} request shape and the bundled server, so that the three agree. Stateless
 * and thread-safe; a {@link ByteBuffer} given to a reader is read from its position and is the caller's alone.
 */
public final class BinaryTensorData {
    /** The header that gives the JSON's length when binary data follows it. */
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    /** The content type of a body with binary data. */
    public static final String CONTENT_TYPE = "application/octet-stream";
    /** The JSON parameter of a tensor that gives the length of its binary data, in bytes. */
    public static final String SIZE_PARAMETER = "binary_data_size";

    private BinaryTensorData() {
    }

    /**
     * @param json the request's or response's JSON
     * @param tensors each tensor's data, in the order the JSON names them
     * @return the body: the JSON, then the data
     */
    public static byte[] body(byte[] json, List<byte[]> tensors) {
        int length = json.length;
        for (byte[] t : tensors) {
            length = Math.addExact(length, t.length);
        }
        ByteBuffer b = ByteBuffer.allocate(length).put(json);
        tensors.forEach(b::put);
        return b.array();
    }

    /**
     * @param header the {@value #HEADER_LENGTH} header's value, or {@code null} when there is none
     * @param bodyLength the body's length, bytes
     * @return the JSON's length: the header's value, or the whole body without the header
     * @throws IllegalArgumentException when the header is not a whole number in {@code [0, bodyLength]}, saying so
     */
    public static int jsonLength(String header, int bodyLength) {
        if (header == null) {
            return bodyLength;
        }
        try {
            int n = Integer.parseInt(header.trim());
            if (n >= 0 && n <= bodyLength) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(HEADER_LENGTH + " must be a whole number of bytes in [0, " + bodyLength
                + "] (the body's length), got '" + header + "'");
    }

    /** @return the values as FP32 data: 4 bytes each, little-endian */
    public static byte[] fp32(float[] values) {
        ByteBuffer b = little(4L * values.length);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** @return the values as FP64 data: 8 bytes each, little-endian */
    public static byte[] fp64(double[] values) {
        ByteBuffer b = little(8L * values.length);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    /** @return the values as INT32 data: 4 bytes each, little-endian */
    public static byte[] int32(int[] values) {
        ByteBuffer b = little(4L * values.length);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    /** @return the values as INT64 data: 8 bytes each, little-endian */
    public static byte[] int64(long[] values) {
        ByteBuffer b = little(8L * values.length);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    /** @return the elements as BYTES data: each its 4-byte little-endian length, then its bytes */
    public static byte[] bytes(List<byte[]> elements) {
        long length = 0;
        for (byte[] e : elements) {
            length += 4L + e.length;
        }
        ByteBuffer b = little(length);
        for (byte[] e : elements) {
            b.putInt(e.length).put(e);
        }
        return b.array();
    }

    /**
     * Reads FP32 data.
     *
     * @param data the tensor's data, from its position to its limit (its {@code binary_data_size}), which must be
     *     exactly 4 bytes for each value of {@code into}
     * @param into where the values go
     * @throws IllegalArgumentException when the data is not as long as that, saying how long it is
     */
    public static void readFp32(ByteBuffer data, float[] into) {
        if (data.remaining() != 4L * into.length) {
            throw new IllegalArgumentException(into.length + " FP32 values take " + 4L * into.length + " bytes, the"
                    + " data has " + data.remaining());
        }
        data.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(into);
        data.position(data.limit());
    }

    /**
     * Reads BYTES data.
     *
     * @param data the tensor's data, from its position to its limit (its {@code binary_data_size})
     * @return its elements, in order
     * @throws IllegalArgumentException when an element's length runs past the data, saying which
     */
    public static List<byte[]> readBytes(ByteBuffer data) {
        ByteBuffer b = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                throw new IllegalArgumentException("the data ends inside element " + out.size() + "'s 4-byte length");
            }
            long len = Integer.toUnsignedLong(b.getInt());
            if (len > b.remaining()) {
                throw new IllegalArgumentException("element " + out.size() + " says " + len + " bytes, but only "
                        + b.remaining() + " are left of the data");
            }
            byte[] e = new byte[(int) len];
            b.get(e);
            out.add(e);
        }
        data.position(data.limit());
        return out;
    }

    private static ByteBuffer little(long length) {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor data of " + length + " bytes: more than one body can hold");
        }
        return ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
    }
}
