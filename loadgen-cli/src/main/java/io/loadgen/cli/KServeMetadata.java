package io.loadgen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.config.UsageException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a KServe v2 model's metadata before a run, as perf_analyzer does. */
final class KServeMetadata {
    private KServeMetadata() {
    }

    /**
     * @param infer the run's target, {@code .../v2/models/NAME[/versions/V]/infer}
     * @return the document of {@code GET .../v2/models/NAME[/versions/V]}
     * @throws UsageException when the target is not an infer URL, or the metadata cannot be read (naming why)
     */
    static JsonNode fetch(URI infer) {
        String path = infer.getPath();
        if (!path.matches(".*/v2/models/[^/]+(/versions/[^/]+)?/infer")) {
            throw new UsageException("--request kserve-v2 needs a target .../v2/models/NAME/infer, got " + infer);
        }
        URI meta = infer.resolve(path.substring(0, path.length() - "/infer".length()));
        try {
            HttpResponse<byte[]> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(meta).timeout(Duration.ofSeconds(10)).GET().build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new UsageException("the model's metadata " + meta + " answered " + r.statusCode() + ": "
                        + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return new ObjectMapper().readTree(r.body());
        } catch (IOException e) {
            throw new UsageException("cannot read the model's metadata " + meta + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("interrupted while reading " + meta);
        }
    }
}
