package io.loadgen.server;

import io.loadgen.config.Setting;
import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.image.ImageDecoder;
import io.loadgen.server.model.DefaultModel;
import io.loadgen.server.model.TensorFlowModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The settings of the bundled inference server ({@code loadgen serve}, {@code loadgen demo}), each declared once:
 * key, type, range, default, doc and flag. The builders of {@link ServerConfig} and {@link BatcherConfig} check their
 * values with these declarations.
 */
public final class ServerSettings {
    /** Address the server binds to (and the host {@code loadgen ctl} talks to). */
    public static final Setting<String> SERVER_IP = Setting.text("serverIp").valid(h -> !h.isBlank()
            && !h.contains("/") && !h.contains(" "), "a host name or IP address").label("ADDR")
            .defaultValue("127.0.0.1").flags("--host")
            .doc("Address the bundled server binds to, and the host `loadgen ctl` talks to. Loopback unless you mean"
                    + " otherwise.")
            .build();
    /** The server's port. */
    public static final Setting<Integer> SERVER_PORT = Setting.integer("serverPort", 0, 65535).defaultValue(8091)
            .flags("--port").doc("Port the bundled server listens on (serverIp is the address); 0 picks a free one.")
            .build();
    /** The SavedModel to serve. */
    public static final Setting<Optional<Path>> MODEL = Setting.optionalPath("model").defaultValue(Optional.empty())
            .flags("--model").label("DIR")
            .doc("SavedModel directory to serve (e.g. a Keras model.export()); fashion-mnist names the committed"
                    + " trained model (models/fashion-mnist); empty means the built-in MobileNetV2 (untrained weights),"
                    + " built on first use.")
            .build();
    /** Model instances. */
    public static final Setting<Integer> WORKERS = Setting.integer("workers", 1, 64).defaultValue(1)
            .flags("--workers").doc("Model instances, each with its own batcher thread.").build();
    /** Most images in one model run. */
    public static final Setting<Integer> MAX_BATCH = Setting.integer("maxBatch", 1, 1024).defaultValue(8)
            .flags("--max-batch").doc("Most images in one model run; 1 turns batching off.").build();
    /** Batching delay. */
    public static final Setting<Duration> MAX_DELAY = Setting.duration("maxDelay", "ms", Duration.ZERO,
            Duration.ofSeconds(10)).defaultValue(Duration.ofMillis(5)).flags("--max-delay")
            .doc("Longest wait of the oldest queued request for its batch to fill.").build();
    /** Requests per priority lane. */
    public static final Setting<Integer> QUEUE_SIZE = Setting.integer("queueSize", 1, 1_000_000).defaultValue(256)
            .flags("--queue").doc("Most requests waiting in each priority lane (realtime, batch); beyond it 503 with"
                    + " Retry-After.")
            .build();
    /** Default request deadline. */
    public static final Setting<Duration> REQUEST_DEADLINE = Setting.duration("requestDeadline", "ms",
            Duration.ofMillis(1), Duration.ofHours(1)).defaultValue(Duration.ofSeconds(30)).flags("--deadline")
            .doc("Deadline of a request that sends no X-Deadline-Ms, counted from its arrival; past it 504.").build();
    /** TensorFlow intra-op threads. */
    public static final Setting<Integer> INTRA_OP_THREADS = Setting.integer("intraOpThreads", 0, 256).defaultValue(0)
            .flags("--intra-op-threads")
            .doc("TensorFlow threads per model instance for one operation; 0 means processors / workers.").build();

    /** Items from which a request goes to the batch lane. */
    public static final Setting<Integer> BATCH_LANE_MIN_ITEMS = Setting.integer("batchLaneMinItems", 1, 1_000_000)
            .defaultValue(64).flags("--batch-lane-min-items")
            .doc("A request of at least this many images (a list, a multipart body, regions, a KServe batch) goes to the"
                    + " batch lane, smaller ones to realtime unless they send X-Priority: batch.")
            .build();
    /** Most items in one request. */
    public static final Setting<Integer> MAX_ITEMS = Setting.integer("maxItemsPerRequest", 1, 1_000_000)
            .defaultValue(256).flags("--max-items")
            .doc("Most images (or regions, or KServe batch rows) in one request; more gets 413 too_many_items, as"
                    + " does a multipart body of more parts than that plus one (for top_k). queueSize bounds it too, so"
                    + " that a request fits in its lane.")
            .build();
    /** Hosts images may be fetched from. */
    public static final Setting<String> IMAGE_URL_ALLOW = Setting.text("imageUrlAllow").valid(ServerSettings::allowList,
            "host[:port] entries separated by commas (no scheme, no path); a host without a port allows 80 and 443")
            .defaultValue("")
            .label("HOST[:PORT],...").flags("--image-url-allow")
            .doc("Hosts whose images a request may name by URL ({\"url\": \"http://...\"}); empty (the default) refuses"
                    + " every URL. A name must resolve to public addresses; a private, loopback or link-local address"
                    + " is allowed only when listed itself, e.g. 127.0.0.1:9000.")
            .build();

    /** What decodes images. */
    public static final Setting<ImageDecoder.Kind> IMAGE_DECODER = Setting.choice("imageDecoder",
            ImageDecoder.Kind.class).defaultValue(ImageDecoder.Kind.TENSORFLOW).flags("--image-decoder")
            .doc("What decodes JPEG and PNG: tensorflow (libjpeg-turbo in a TensorFlow graph, JPEGs decoded at the"
                    + " largest DCT scale that covers the model input: 3-5x less CPU per JPEG) or imageio (slower;"
                    + " also refuses JPEGs whose compressed data is damaged but complete, which tensorflow decodes as"
                    + " they come).")
            .build();

    /** The server's group, as {@code --help} and {@code conf/sys.properties} show it. */
    public static final SettingGroup GROUP = SettingGroup.of("server", "The bundled inference server (loadgen serve,"
            + " loadgen demo)", SERVER_IP, SERVER_PORT, MODEL, WORKERS, MAX_BATCH, MAX_DELAY, QUEUE_SIZE,
            REQUEST_DEADLINE, INTRA_OP_THREADS, BATCH_LANE_MIN_ITEMS, MAX_ITEMS, IMAGE_URL_ALLOW, IMAGE_DECODER);

    private ServerSettings() {
    }

    /** The committed Fashion-MNIST model, as {@code --model fashion-mnist} names it. */
    public static final Path FASHION_MNIST = Path.of("models", "fashion-mnist");

    /**
     * @param given the {@code --model} value
     * @return the directory it names: {@code fashion-mnist}, when no such directory exists here, is the committed
     *     model {@link #FASHION_MNIST} (run from the project's root)
     */
    public static Path modelDirectory(Path given) {
        if (given.toString().equals("fashion-mnist") && !java.nio.file.Files.isDirectory(given)
                && java.nio.file.Files.isDirectory(FASHION_MNIST)) {
            return FASHION_MNIST;
        }
        return given;
    }

    private static boolean allowList(String list) {
        try {
            io.loadgen.server.image.UrlAllowList.parse(list);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** @return the server settings these values give */
    public static ServerConfig serverConfig(Settings s) {
        return ServerConfig.custom()
                .host(s.get(SERVER_IP))
                .port(s.get(SERVER_PORT))
                .batcher(BatcherConfig.custom()
                        .workers(s.get(WORKERS))
                        .maxBatch(s.get(MAX_BATCH))
                        .maxDelay(s.get(MAX_DELAY))
                        .queueCapacity(s.get(QUEUE_SIZE))
                        .defaultDeadline(s.get(REQUEST_DEADLINE))
                        .build())
                .batchLaneMinItems(s.get(BATCH_LANE_MIN_ITEMS))
                .maxItemsPerRequest(s.get(MAX_ITEMS))
                .imageUrlAllow(s.get(IMAGE_URL_ALLOW))
                .imageDecoder(s.get(IMAGE_DECODER))
                .build();
    }

    /**
     * @param s the settings
     * @param processors the processors the server's JVM sees
     * @return the TensorFlow intra-op threads of each model instance: {@code intraOpThreads}, or when it is 0 the
     *     processors divided among the workers (at least 1); each instance also has 1 inter-op thread
     */
    public static int intraOpThreads(Settings s, int processors) {
        return s.get(INTRA_OP_THREADS) > 0 ? s.get(INTRA_OP_THREADS) : Math.max(1, processors / s.get(WORKERS));
    }

    /** @return a factory of TensorFlow model instances: the configured directory, or the built-in default */
    public static ModelFactory modelFactory(Settings s) {
        int intra = intraOpThreads(s, Runtime.getRuntime().availableProcessors());
        TensorFlowModel.Options options = TensorFlowModel.Options.defaults().withThreads(intra, 1);
        Path dir = s.get(MODEL).map(ServerSettings::modelDirectory).orElse(null);
        return maxBatch -> {
            Path d = dir != null ? dir : DefaultModel.ensure();
            TensorFlowModel m = TensorFlowModel.load(d, options);
            m.warmUp(maxBatch);
            return m;
        };
    }
}
