package io.loadgen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.config.UsageException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a KServe v2 model's metadata and its server's before a run, as perf_analyzer does: {@code GET
 * .../v2/models/NAME[/versions/V]} and {@code GET .../v2}. Each read waits at most 10 s.
 */
final class KServeMetadata {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private KServeMetadata() {
    }

    /**
     * @param infer the run's target, {@code .../v2/models/NAME[/versions/V]/infer}
     * @return the document of {@code GET .../v2/models/NAME[/versions/V]}
     * @throws UsageException when the target is not an infer URL, or the metadata cannot be read (naming why)
     */
    static JsonNode model(URI infer) {
        String path = checkTarget(infer);
        URI meta = infer.resolve(path.substring(0, path.length() - "/infer".length()));
        try {
            HttpResponse<byte[]> r = get(meta);
            if (r.statusCode() != 200) {
                throw new UsageException("the model's metadata " + meta + " answered " + r.statusCode() + ": "
                        + new String(r.body(), StandardCharsets.UTF_8));
            }
            return new ObjectMapper().readTree(r.body());
        } catch (IOException e) {
            throw new UsageException("cannot read the model's metadata " + meta + ": " + e.getMessage());
        }
    }

    /**
     * @param infer the run's target, as for {@link #model}
     * @return the {@code extensions} of the server's metadata ({@code GET .../v2}), or empty when it answers no
     *     such document (the protocol requires the endpoint; not every server gives the field)
     */
    static Optional<Set<String>> serverExtensions(URI infer) {
        String path = checkTarget(infer);
        URI meta = infer.resolve(path.substring(0, path.indexOf("/v2/models/") + "/v2".length()));
        try {
            HttpResponse<byte[]> r = get(meta);
            JsonNode ext = r.statusCode() == 200 ? new ObjectMapper().readTree(r.body()).path("extensions") : null;
            if (ext == null || !ext.isArray()) {
                return Optional.empty();
            }
            Set<String> out = new LinkedHashSet<>();
            ext.forEach(e -> out.add(e.asText()));
            return Optional.of(out);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String checkTarget(URI infer) {
        String path = infer.getPath();
        if (path == null || !path.matches(".*/v2/models/[^/]+(/versions/[^/]+)?/infer")) {
            throw new UsageException("--request kserve-v2 needs a target .../v2/models/NAME/infer, got " + infer);
        }
        return path;
    }

    private static HttpResponse<byte[]> get(URI uri) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("interrupted while reading " + uri);
        }
    }
}
