package io.loadgen.oip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bytes of the binary tensor data extension, written out by hand from its text, and back. */
class BinaryTensorDataTest {
    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void numbersAreLittleEndian() {
        assertArrayEquals(b(0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0), BinaryTensorData.fp32(new float[] {1f, -2f}));
        assertArrayEquals(b(0, 0, 0, 0, 0, 0, 0xf0, 0x3f), BinaryTensorData.fp64(new double[] {1.0}));
        assertArrayEquals(b(1, 2, 0, 0), BinaryTensorData.int32(new int[] {0x0201}));
        assertArrayEquals(b(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), BinaryTensorData.int64(new long[] {-1}));
    }

    @Test
    void aBytesElementIsItsFourByteLengthThenItsBytes() {
        byte[] data = BinaryTensorData.bytes(List.of("ab".getBytes(StandardCharsets.US_ASCII), new byte[0]));
        assertArrayEquals(b(2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0), data);
        List<byte[]> back = BinaryTensorData.readBytes(ByteBuffer.wrap(data));
        assertEquals(2, back.size());
        assertArrayEquals("ab".getBytes(StandardCharsets.US_ASCII), back.get(0));
        assertEquals(0, back.get(1).length);
    }

    @Test
    void aBodyIsTheJsonThenTheTensorsInOrder() {
        byte[] json = "{}".getBytes(StandardCharsets.US_ASCII);
        byte[] body = BinaryTensorData.body(json, List.of(b(1), b(2, 3)));
        assertArrayEquals(b('{', '}', 1, 2, 3), body);
        assertEquals(2, BinaryTensorData.jsonLength("2", body.length));
        assertEquals(5, BinaryTensorData.jsonLength(null, body.length), "no header: all JSON");
        for (String bad : List.of("6", "-1", "two", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BinaryTensorData.jsonLength(bad, body.length), bad);
            assertTrue(e.getMessage().startsWith("Inference-Header-Content-Length must be a whole number of bytes in"
                    + " [0, 5]"), e.getMessage());
        }
    }

    @Test
    void fp32DataReadsBackAndMustFitExactly() {
        float[] values = {0.5f, -3.25f, Float.MAX_VALUE};
        ByteBuffer data = ByteBuffer.wrap(BinaryTensorData.fp32(values));
        float[] back = new float[3];
        BinaryTensorData.readFp32(data, back);
        assertArrayEquals(values, back);
        assertEquals(0, data.remaining(), "read to its end");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BinaryTensorData.readFp32(ByteBuffer.wrap(new byte[8]), new float[3]));
        assertEquals("3 FP32 values take 12 bytes, the data has 8", e.getMessage());
    }

    @Test
    void bytesDataCutShortIsRefusedSayingWhere() {
        IllegalArgumentException inLength = assertThrows(IllegalArgumentException.class,
                () -> BinaryTensorData.readBytes(ByteBuffer.wrap(b(1, 0, 0, 0, 'x', 5, 0))));
        assertEquals("the data ends inside element 1's 4-byte length", inLength.getMessage());
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> BinaryTensorData.readBytes(ByteBuffer.wrap(b(9, 0, 0, 0, 'x'))));
        assertEquals("element 0 says 9 bytes, but only 1 are left of the data", past.getMessage());
    }
}
