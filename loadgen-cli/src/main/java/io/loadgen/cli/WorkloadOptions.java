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
            + " .../v2/models/NAME/infer: the model's and the server's metadata are read first; each image goes as"
            + " the model's BYTES input or preprocessed into its FP32 image input, or with --input-data random,"
            + " random values of its inputs' shapes; see the --kserve-* options).")
    String request = "raw";

    @Option(names = "--input-data", paramLabel = "payload|random", defaultValue = "payload", description = "With"
            + " --request kserve-v2: send the payload images (default) or random values of every input's shape and"
            + " type (FP32, FP64, INT32, INT64).")
    String inputData = "payload";

    @Option(names = "--kserve-input", paramLabel = "NAME", description = "With --request kserve-v2: the input each"
            + " image fills (default: the model's BYTES input, else its FP32 input shaped like an image, which"
            + " loadgen preprocesses: cover-resize, centre crop, grey or RGB, --kserve-scaling, --kserve-layout).")
    String kserveInput;

    @Option(names = "--kserve-binary", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            description = "With --request kserve-v2: send the tensors as binary data (the binary tensor data"
            + " extension) or as JSON. Default: binary when the server's metadata lists binary_tensor_data.")
    Boolean kserveBinary;

    @Option(names = "--kserve-layout", paramLabel = "nhwc|nchw", description = "With --request kserve-v2 and an"
            + " FP32 image input: where its channels are (default: read from the shape, the dimension of 1 or 3).")
    String kserveLayout;

    @Option(names = "--kserve-scaling", paramLabel = "unit|none|inception|imagenet", defaultValue = "unit",
            description = "With --request kserve-v2 and an FP32 image input: each 8-bit level x becomes x/255 (unit,"
            + " the default), x (none), x/127.5-1 (inception) or (x/255-mean)/std with ImageNet's RGB values"
            + " (imagenet).")
    String kserveScaling = "unit";

    @Option(names = "--kserve-output", paramLabel = "NAME", description = "With --request kserve-v2: an output to"
            + " request (default: none named, the server sends all). Repeatable.")
    List<String> kserveOutputs = new ArrayList<>();

    @Option(names = "--kserve-classification", paramLabel = "K", defaultValue = "0", description = "With --request"
            + " kserve-v2: ask for the top K classes of each output (the classification extension: BYTES"
            + " \"score:index[:label]\"), e.g. with --check 'json:/outputs/0/data/0=~^[^:]*:$${label}(:|$$)'."
            + " Default 0: the raw outputs.")
    int kserveClassification;

    @Option(names = "--form", paramLabel = "NAME=VALUE", description = "A form field of --request multipart:FIELD"
            + " uploads, sent after the file. Repeatable.")
    List<String> form = new ArrayList<>();

    @Option(names = "--content-type", paramLabel = "TYPE", description = "Content type of the body (default: from"
            + " the payload file extension; application/json for --body).")
    String contentType;

    /** @return these flags as a command line gives them, for agents that build the same workload */
    List<String> toArgs() {
        List<String> a = new ArrayList<>();
        headers.forEach(h -> a.add("--header=" + h));
        if (body != null) {
            a.add("--body=" + body);
        }
        checks.forEach(c -> a.add("--check=" + c));
        a.add("--request=" + request);
        a.add("--input-data=" + inputData);
        form.forEach(f -> a.add("--form=" + f));
        if (contentType != null) {
            a.add("--content-type=" + contentType);
        }
        if (kserveInput != null) {
            a.add("--kserve-input=" + kserveInput);
        }
        if (kserveBinary != null) {
            a.add("--kserve-binary=" + kserveBinary);
        }
        if (kserveLayout != null) {
            a.add("--kserve-layout=" + kserveLayout);
        }
        a.add("--kserve-scaling=" + kserveScaling);
        kserveOutputs.forEach(o -> a.add("--kserve-output=" + o));
        a.add("--kserve-classification=" + kserveClassification);
        return a;
    }

    /** What the request shape made of the target, e.g. the KServe input filled; empty for raw bodies. */
    private String described;

    /** @return what the request shape made of the target, for the run's log and settings, if there is more to say */
    Optional<String> described() {
        return Optional.ofNullable(described);
    }

    private KServeShape.Options kserveOptions(long seed) {
        KServeShape.Options.Builder o = KServeShape.Options.builder().seed(seed).outputs(kserveOutputs)
                .classification(kserveClassification).scaling(choice("--kserve-scaling", kserveScaling,
                        io.loadgen.core.engine.ImageTensor.Scaling.values()));
        o.data(choice("--input-data", inputData, KServeShape.InputData.values()));
        if (kserveInput != null) {
            o.input(kserveInput);
        }
        if (kserveBinary != null) {
            o.binary(kserveBinary);
        }
        if (kserveLayout != null) {
            o.layout(choice("--kserve-layout", kserveLayout, io.loadgen.core.engine.ImageTensor.Layout.values()));
        }
        return o.build();
    }

    private static <E extends Enum<E>> E choice(String flag, String value, E[] values) {
        for (E e : values) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new UsageException(flag + " must be one of " + java.util.Arrays.stream(values)
                .map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList() + ", got '" + value + "'");
    }

    /**
     * @param s the settings (target, method, payload, payload order, seed)
     * @param defaultPayloads bodies to send when neither --body nor a payload is given (may be empty)
     * @return the workload
     * @throws UsageException for a malformed header, template or payload
     */
    Workload workload(Settings s, List<Payload> defaultPayloads) {
        return workload(s, s.get(CoreSettings.TARGET), defaultPayloads);
    }

    /**
     * @param s the settings (method, payload, payload order, seed)
     * @param target the URL to send to, in place of the target setting's
     * @param defaultPayloads bodies to send when neither --body nor a payload is given (may be empty)
     * @return the workload
     * @throws UsageException for a malformed header, template or payload
     */
    Workload workload(Settings s, URI target, List<Payload> defaultPayloads) {
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
                KServeShape.Bodies bodies = KServeShape.bodies(KServeMetadata.model(target),
                        KServeMetadata.serverExtensions(target), files, kserveOptions(s.get(CoreSettings.SEED)));
                files = bodies.payloads();
                described = "kserve-v2, " + bodies.description();
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
            if (!request.equals("kserve-v2") && (kserveInput != null || kserveBinary != null || kserveLayout != null
                    || !kserveOutputs.isEmpty() || kserveClassification != 0 || !inputData.equals("payload"))) {
                throw new UsageException("--input-data and the --kserve-* options go with --request kserve-v2");
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
