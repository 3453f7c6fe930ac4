package io.loadgen.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.loadgen.server.model.ModelInfo;

/**
 * The health and metadata endpoints of the Open Inference Protocol (KServe v2 REST), on the same port as
 * {@code /v1}: {@code GET /v2} (server metadata), {@code /v2/health/live}, {@code /v2/health/ready},
 * {@code /v2/models/{name}[/versions/{version}]} (model metadata) and {@code .../ready}. As the protocol's text says
 * (kserve {@code docs/predict-api/v2/required_api.md}, "Health" and "Metadata"), a health answer is its status alone
 * (200 true, 4xx false: 400 here, as Triton answers), and a failed metadata request gets
 * {@code {"error": "<message>"}} (404 for a model or version the server does not have). The server has one model,
 * version {@value #VERSION}. Its tensors: {@code input}, FP32 {@code [-1, height, width, channels]} (the model's own
 * preprocessed input, NHWC) or {@code image}, BYTES {@code [-1]} (encoded JPEG or PNG images, decoded by the
 * server): a request sends one of the two; and {@code output}, FP32 {@code [-1, classes]}. Inference
 * ({@code POST .../infer}) is {@link KServeInferRoute}; the server metadata lists the extensions it implements,
 * {@value #EXTENSIONS_TEXT}.
 *
 * <p>Threading: the handlers run on Jetty's threads; they read the {@link Routes}' volatile state only.
 */
public final class KServeRoutes {
    /** The only version of the served model. */
    public static final String VERSION = "1";
    /** The protocol extensions served, as the server metadata lists them (Triton's names). */
    public static final java.util.List<String> EXTENSIONS = java.util.List.of("binary_tensor_data", "classification");
    static final String EXTENSIONS_TEXT = "binary_tensor_data and classification";
    /** The server's name in its metadata. */
    public static final String SERVER_NAME = "loadgen-inference-server";

    private final ObjectMapper json;
    private final Routes routes;
    private final String serverVersion;
    private volatile String platform = "unknown";

    /**
     * @param json the mapper
     * @param routes the {@code /v1} routes, whose readiness and model these endpoints report
     * @param serverVersion the server's version, e.g. {@code 0.1.0}
     */
    public KServeRoutes(ObjectMapper json, Routes routes, String serverVersion) {
        this.json = json;
        this.routes = routes;
        this.serverVersion = serverVersion;
    }

    /**
     * @param name what the model metadata's {@code platform} says: {@code tensorflow_savedmodel} for a TensorFlow
     *     model (Triton's name for it), else the model's class
     */
    public void platform(String name) {
        this.platform = name;
    }

    /** Adds the routes. */
    public void register(RoutesConfig r) {
        r.get("/v2", this::serverMetadata);
        r.get("/v2/health/live", ctx -> ctx.status(200));
        r.get("/v2/health/ready", ctx -> ctx.status(routes.ready() ? 200 : 400));
        r.get("/v2/models/{name}", ctx -> modelMetadata(ctx, null));
        r.get("/v2/models/{name}/versions/{version}", ctx -> modelMetadata(ctx, ctx.pathParam("version")));
        r.get("/v2/models/{name}/ready", ctx -> modelReady(ctx, null));
        r.get("/v2/models/{name}/versions/{version}/ready", ctx -> modelReady(ctx, ctx.pathParam("version")));
        r.post("/v2/models/{name}/infer", routes::infer);
        r.post("/v2/models/{name}/versions/{version}/infer", routes::infer);
    }

    private void serverMetadata(Context ctx) {
        ObjectNode root = json.createObjectNode();
        root.put("name", SERVER_NAME);
        root.put("version", serverVersion);
        ArrayNode ext = root.putArray("extensions");
        EXTENSIONS.forEach(ext::add);
        send(ctx, 200, root);
    }

    private void modelMetadata(Context ctx, String version) {
        ModelInfo m = find(ctx, version);
        if (m == null) {
            return;
        }
        ObjectNode root = json.createObjectNode();
        root.put("name", m.name());
        root.putArray("versions").add(VERSION);
        root.put("platform", platform);
        ArrayNode inputs = root.putArray("inputs");
        ObjectNode in = inputs.addObject();
        in.put("name", KServeInferRoute.TENSOR_INPUT);
        in.put("datatype", "FP32");
        in.putArray("shape").add(-1).add(m.preprocessing().height()).add(m.preprocessing().width())
                .add(m.preprocessing().channels());
        ObjectNode image = inputs.addObject();
        image.put("name", KServeInferRoute.IMAGE_INPUT);
        image.put("datatype", "BYTES");
        image.putArray("shape").add(-1);
        ArrayNode outputs = root.putArray("outputs");
        ObjectNode out = outputs.addObject();
        out.put("name", KServeInferRoute.OUTPUT);
        out.put("datatype", "FP32");
        out.putArray("shape").add(-1).add(m.classes().size());
        send(ctx, 200, root);
    }

    private void modelReady(Context ctx, String version) {
        if (find(ctx, version) != null) {
            ctx.status(routes.ready() ? 200 : 400);
        }
    }

    /** @return the model the path names, or null after answering 404 (or 400 while no model is loaded) */
    private ModelInfo find(Context ctx, String version) {
        String name = ctx.pathParam("name");
        ModelInfo m = routes.modelInfo();
        if (m == null) {
            error(ctx, 400, "model '" + name + "' is not ready: the model is loading or failed to load");
            return null;
        }
        if (!m.name().equals(name)) {
            error(ctx, 404, "unknown model '" + name + "': this server serves '" + m.name() + "'");
            return null;
        }
        if (version != null && !version.equals(VERSION)) {
            error(ctx, 404, "unknown version '" + version + "' of model '" + name + "': it has version " + VERSION);
            return null;
        }
        return m;
    }

    private void error(Context ctx, int status, String message) {
        send(ctx, status, json.createObjectNode().put("error", message));
    }

    private void send(Context ctx, int status, ObjectNode body) {
        Routes.send(json, ctx, status, body);
    }
}
