package io.loadgen.cli;

import io.loadgen.config.Settings;
import io.loadgen.config.UsageException;
import io.loadgen.core.config.CoreSettings;
import io.loadgen.core.engine.KServeShape;
import io.loadgen.core.engine.MultipartShape;
import io.loadgen.core.engine.Payload;
import io.loadgen.core.engine.Workload;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The flags that shape each request beyond the settings (headers, a body template, its content type), shared by
 * the commands that send requests; {@link #workload} builds the {@link Workload} from them and the target settings.
 */
final class WorkloadOptions {
    @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'", description = "Request header; values may"
            + " hold $${seq}, $${uuid}, $${now_ms}, and with --payload $${payload_name}, $${label}. Repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--body", paramLabel = "TEMPLATE", description = "Request body template: $${seq}, $${uuid},"
            + " $${now_ms} per request; with --payload, once per payload file, with $${payload_b64} (the file, base64),"
            + " $${payload_name} and $${label} (from DIR/<label>/<file> or DIR/labels.csv).")
    String body;

    @Option(names = "--check", paramLabel = "CHECK", description = "A check every answer must pass, counted as"
            + " error kind 'check' when it fails: status==200 (or 2xx), 'json:/json/pointer==VALUE' (VALUE may hold"
            + " $${label} and $${payload_name}), 'json:/pointer exists', 'body~REGEX'. Repeatable; all must pass."
            + " summary.json gets \"checks\": {passed, failed, ratio, by_check}; --assert 'checks>99%%' gates on it.")
    List<String> checks = new ArrayList<>();

    @Option(names = "--request", paramLabel = "SHAPE", defaultValue = "raw", description = "How each payload file"
            + " is sent: raw (its bytes as the body; the default), multipart:FIELD (a multipart/form-data upload"
            + " with the file as the part FIELD, plus the --form fields), or kserve-v2 (target"
            + " .../v2/models/NAME/infer: the model's metadata is read first; each image goes as its BYTES input,"
            + " or with --input-data random, random FP32 tensors of its input's shape).")
    String request = "raw";

    @Option(names = "--input-data", paramLabel = "payload|random", defaultValue = "payload", description = "With"
            + " --request kserve-v2: send the payload images (default) or random tensors of the model's input shape.")
    String inputData = "payload";

    @Option(names = "--form", paramLabel = "NAME=VALUE", description = "A form field of --request multipart:FIELD"
            + " uploads, sent after the file. Repeatable.")
    List<String> form = new ArrayList<>();

    @Option(names = "--content-type", paramLabel = "TYPE", description = "Content type of the body (default: from"
            + " the payload file extension; application/json for --body).")
    String contentType;

    /**
     * @param s the settings (target, method, payload, payload order, seed)
     * @param defaultPayloads bodies to send when neither --body nor a payload is given (may be empty)
     * @return the workload
     * @throws UsageException for a malformed header, template or payload
     */
    Workload workload(Settings s, List<Payload> defaultPayloads) {
        URI target = s.get(CoreSettings.TARGET);
        Optional<java.nio.file.Path> payload = s.get(CoreSettings.PAYLOAD);
        try {
            Workload.Builder b = Workload.builder(target).seed(s.get(CoreSettings.SEED))
                    .payloadOrder(s.get(CoreSettings.PAYLOAD_ORDER));
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new UsageException("--header must be 'Name: value', got '" + h + "'");
                }
                b.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
            }
            if (body != null) {
                // with --payload: this template once per payload file; the files' own type does not apply
                b.body(body, contentType);
            }
            List<Payload> files = payload.isPresent() ? Payload.read(payload.get(), body != null ? null : contentType)
                    : body == null ? defaultPayloads : List.of();
            if (request.equals("kserve-v2")) {
                if (body != null) {
                    throw new UsageException("give --body or --request kserve-v2, not both");
                }
                boolean random = switch (inputData) {
                    case "payload" -> false;
                    case "random" -> true;
                    default -> throw new UsageException("--input-data must be payload or random, got " + inputData);
                };
                files = KServeShape.bodies(KServeMetadata.fetch(target), random ? List.of() : files, random,
                        s.get(CoreSettings.SEED));
            } else if (!request.equals("raw")) {
                if (body != null) {
                    throw new UsageException("give --body or --request " + request + ", not both");
                }
                MultipartShape shape = MultipartShape.parse(request, form);
                if (files.isEmpty()) {
                    throw new UsageException("--request " + request + " uploads payload files: give --payload");
                }
                files = files.stream().map(shape::apply).toList();
            } else if (!form.isEmpty()) {
                throw new UsageException("--form goes with --request multipart:FIELD");
            }
            if (!files.isEmpty()) {
                b.payloads(files);
            }
            s.get(CoreSettings.METHOD).ifPresent(b::method);
            b.checks(checks);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
