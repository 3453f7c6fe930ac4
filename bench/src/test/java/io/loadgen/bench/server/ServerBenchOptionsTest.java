package io.loadgen.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.server.image.ImageDecoder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** bench/server's options keep the meaning they had before picocli; nonsense is refused before anything runs. */
class ServerBenchOptionsTest {

    @Test
    void defaultsAreAFullRunAtBatches1_8_32() {
        ServerBench b = new ServerBench();
        new CommandLine(b).parseArgs();
        assertFalse(b.quick);
        assertEquals(List.of(1, 8, 32), b.batches);
        assertEquals(1.5, b.factor, 1e-9);
        assertEquals(ServerSettings.MAX_IN_FLIGHT, b.connections);
        assertEquals(ImageDecoder.Kind.TENSORFLOW, b.decoder);
    }

    @Test
    void givenValuesReplaceTheDefaults() {
        ServerBench b = new ServerBench();
        new CommandLine(b).parseArgs("--quick", "--batches", "32,8", "--factor", "2", "--connections", "0",
                "--image-decoder", "ImageIO");
        assertTrue(b.quick);
        assertEquals(List.of(32, 8), b.batches, "the list given, not added to the default");
        assertEquals(2, b.factor, 1e-9);
        assertEquals(ServerSettings.AUTO, b.connections);
        assertEquals(ImageDecoder.Kind.IMAGEIO, b.decoder, "any case");
        assertEquals("imageio", ServerSettings.of(true, 2, 0, b.decoder).decoderName(), "as serve's flag takes it");
    }

    @Test
    void unknownOptionsAndNonsenseExitWith2() {
        StringWriter err = new StringWriter();
        assertEquals(2, new CommandLine(new ServerBench()).setErr(new PrintWriter(err)).execute("--bogus"));
        assertTrue(err.toString().contains("--bogus"), err.toString());
        StringWriter dec = new StringWriter();
        assertEquals(2, new CommandLine(new ServerBench()).setErr(new PrintWriter(dec)).execute("--image-decoder",
                "libjpeg"));
        assertTrue(dec.toString().contains("--image-decoder") && dec.toString().contains("libjpeg"), dec.toString());
        // refused by the command itself, before it looks for the jars (the message says which option)
        assertRefused("--batches", "--batches", "0,8");
        assertRefused("--factor", "--factor", "0");
        assertRefused("--connections", "--connections", "-1");
    }

    private static void assertRefused(String why, String... args) {
        StringWriter err = new StringWriter();
        assertEquals(2, new CommandLine(new ServerBench()).setErr(new PrintWriter(err)).execute(args));
        assertTrue(err.toString().startsWith(why), err.toString());
    }

    @Test
    void helpListsEveryOption() {
        StringWriter out = new StringWriter();
        assertEquals(0, new CommandLine(new ServerBench()).setOut(new PrintWriter(out)).execute("--help"));
        for (String o : List.of("--quick", "--batches", "--factor", "--connections", "--image-decoder",
                "tensorflow", "imageio", "--help")) {
            assertTrue(out.toString().contains(o), o + " in\n" + out);
        }
    }
}
