package io.loadgen.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmOptionsFileTest {
    @Test
    void optionsComeInOrderWithoutCommentsAndBlankLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("jvm.options");
        Files.writeString(f, "# the heap\n-Xmx1g\n\n  -XX:+UseShenandoahGC   # the collector\n#-XX:+UseG1GC\n");
        assertEquals(List.of("-Xmx1g", "-XX:+UseShenandoahGC"), JvmOptionsFile.read(f));
    }

    @Test
    void theShippedFileNamesAHeapCeilingAndACollector() throws Exception {
        List<String> shipped = JvmOptionsFile.read(Path.of("..", "conf", "jvm.options"));
        assertEquals(2, shipped.stream().filter(o -> o.startsWith("-Xmx") || o.matches("-XX:\\+Use\\w+GC")).count(),
                shipped.toString());
    }
}
