package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.loadgen.config.Setting;
import io.loadgen.config.Settings;
import io.loadgen.core.config.CoreSettings;
import io.loadgen.prometheus.LoadMetrics;
import io.loadgen.prometheus.MetricsEndpoint;
import io.loadgen.prometheus.MetricsSettings;
import io.loadgen.rmi.RmiSettings;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.ServerSettings;
import io.loadgen.server.image.ImageDecoder;
import io.loadgen.server.testing.BrightnessModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The container image and the Kubernetes manifests (Dockerfile, the jib configuration, deploy/k8s): every manifest
 * binds strictly into the Kubernetes model, and what the manifests say about loadgen is checked against loadgen
 * itself: the server's port, probe routes and drain timeout, the agents' names and RMI port as the coordinator
 * lists them, the shared token, and every container's arguments as a loadgen command line. And the metrics: the ports
 * and annotations Prometheus finds the pods by, the network policy that lets it in, deploy/prometheus/prometheus.yml
 * (its relabelling played on the pods) and deploy/grafana's dashboard (its queries against what loadgen and the server
 * export). Building the image, running it on a cluster, Prometheus' discovery and Grafana are not tested here
 * (docs/deploy.md says what is and is not).
 */
class DeployManifestsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path K8S = ROOT.resolve("deploy").resolve("k8s");
    private static final Path BASE = K8S.resolve("base");
    private static final Path GPU = K8S.resolve("overlays").resolve("gpu");
    private static final Path SHIPPED_CONF = ROOT.resolve("conf").resolve("sys.properties");
    /** What the server's close() takes besides the drain timeout and the preStop sleep: its extra second for the
     * last answers to be written, stopping Jetty, closing the models. */
    private static final long DRAIN_MARGIN_SECONDS = 5;
    private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final String INDEX_ANNOTATION = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

    // metrics: deploy/prometheus, deploy/grafana and the annotations of the pods they scrape
    private static final Path PROMETHEUS_YML = ROOT.resolve("deploy").resolve("prometheus").resolve("prometheus.yml");
    private static final Path DASHBOARD = ROOT.resolve("deploy").resolve("grafana").resolve("loadgen-dashboard.json");
    private static final String SCRAPE_ANNOTATION = "prometheus.io/scrape";
    private static final String PORT_ANNOTATION = "prometheus.io/port";
    private static final String PATH_ANNOTATION = "prometheus.io/path";
    /**
     * The server's metric families, as io.loadgen.server.metrics.ServerMetrics registers them with Micrometer, by
     * their Prometheus names (a counter's without its _total, a timer's with _seconds); the test checks them against a
     * real server's /metrics. loadgen's own are io.loadgen.prometheus.LoadMetrics#getPrometheusNames().
     */
    private static final List<String> SERVER_FAMILIES = List.of("inference_requests", "inference_request_seconds",
            "inference_model_seconds", "inference_queue_wait_seconds", "inference_queue_depth", "inference_batch_size",
            "inference_rejections", "inference_ready");
    /** The units the dashboard's panels show. */
    private static final Set<String> UNITS = Set.of("reqps", "s", "short");
    /** A loadgen or server metric name in PromQL. */
    private static final Pattern METRIC = Pattern.compile("(?<![A-Za-z0-9_:])((?:loadgen|inference)_[A-Za-z0-9_:]*)");
    /** Such a name with its label matchers. */
    private static final Pattern SELECTOR = Pattern.compile(
            "(?<![A-Za-z0-9_:])((?:loadgen|inference)_[A-Za-z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern LABEL_MATCHER = Pattern.compile(
            "([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern RANGE = Pattern.compile("\\[([^\\]]*)]");
    /** A Grafana variable: $name or ${name} (${name:format}). */
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{([A-Za-z0-9_]+)(?::[^}]*)?}|([A-Za-z0-9_]+))");
    /** A query variable's query: label_values(metric{selector}, label). */
    private static final Pattern LABEL_VALUES = Pattern.compile(
            "label_values\\(\\s*(.+?)\\s*,\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)");
    /** The namespace the manifests are applied in (they name none: any) and a pod's IP, for the simulations. */
    private static final String NAMESPACE = "loadgen";
    private static final String POD_IP = "10.1.2.3";
    /** The labels of Prometheus' pods the network policy admits. */
    private static final Map<String, String> PROMETHEUS_POD = Map.of("app.kubernetes.io/name", "prometheus");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "apps/v1 Deployment", Deployment.class,
            "v1 Service", Service.class,
            "batch/v1 Job", Job.class,
            "v1 Secret", Secret.class,
            "v1 Pod", Pod.class,
            "v1 PersistentVolumeClaim", PersistentVolumeClaim.class,
            "networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class);
    /** The fields of a kustomization these files may use (kustomize's Kustomization type has more). */
    private static final Set<String> KUSTOMIZATION_KEYS = Set.of("apiVersion", "kind", "resources", "components",
            "patches", "images", "labels", "commonAnnotations", "namespace", "namePrefix", "nameSuffix",
            "secretGenerator", "configMapGenerator", "generatorOptions", "replicas");

    private static final ObjectMapper STRICT = strictMapper();

    /** Every manifest under deploy/k8s, by the directory it is in (base, overlays/NAME). */
    private static Map<Path, List<HasMetadata>> manifests;
    /** The file each manifest was read from. */
    private static final Map<HasMetadata, Path> SOURCE = new java.util.IdentityHashMap<>();
    /** Every kustomization.yaml, by its directory. */
    private static Map<Path, JsonNode> kustomizations;

    @BeforeAll
    static void bindEverything() throws IOException {
        manifests = new TreeMap<>();
        kustomizations = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(K8S)) {
            files = s.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".yaml")
                    || f.toString().endsWith(".yml")).sorted().toList();
        }
        for (Path f : files) {
            List<JsonNode> docs = documents(Files.readString(f), f.toString());
            for (JsonNode doc : docs) {
                if ("Kustomization".equals(doc.path("kind").asString())) {
                    assertEquals("kustomization.yaml", f.getFileName().toString(), f + ": a Kustomization must be"
                            + " named kustomization.yaml for kubectl -k to find it");
                    kustomizations.put(f.getParent(), doc);
                } else {
                    HasMetadata o = bind(doc, f.toString());
                    SOURCE.put(o, f);
                    manifests.computeIfAbsent(f.getParent(), d -> new ArrayList<>()).add(o);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------- binding, strictly

    /**
     * A mapper that refuses what Kubernetes would refuse or silently drop: unknown fields (the model's classes
     * collect them in additionalProperties through @JsonAnySetter, which this mapper ignores), duplicate keys.
     */
    private static ObjectMapper strictMapper() {
        return YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // as Kubernetes: "1" is no number, and 1 or true no string (quote label values, args, env values)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer,
                        CoercionAction.Fail).setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
                        return Boolean.FALSE;
                    }

                    @Override
                    public JsonIgnoreProperties.Value findPropertyIgnoralByName(MapperConfig<?> config, Annotated a) {
                        return super.findPropertyIgnoralByName(config, a).withoutIgnoreUnknown();
                    }
                })
                .build();
    }

    private static List<JsonNode> documents(String yaml, String where) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = STRICT.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !d.isMissingNode() && !d.isEmpty()) {
                    docs.add(d);
                }
            }
        } catch (RuntimeException e) {
            throw new AssertionError(where + ": not valid YAML: " + e.getMessage(), e);
        }
        return docs;
    }

    private static HasMetadata bind(JsonNode doc, String where) {
        String key = doc.path("apiVersion").asString() + " " + doc.path("kind").asString();
        Class<? extends HasMetadata> type = KINDS.get(key);
        assertNotNull(type, where + ": unexpected apiVersion and kind '" + key + "' (known: " + KINDS.keySet() + ")");
        HasMetadata o;
        try {
            o = STRICT.treeToValue(doc, type);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new AssertionError(where + ": does not bind into " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        assertNotNull(o.getMetadata(), where + ": no metadata");
        assertNotNull(o.getMetadata().getName(), where + ": no metadata.name");
        return o;
    }

    @Test
    void everyManifestBindsStrictlyAndEveryKustomizationNamesFilesThatExist() throws IOException {
        int docs = manifests.values().stream().mapToInt(List::size).sum();
        assertTrue(docs >= 11, "too few manifests found under " + K8S + ": " + docs);
        assertTrue(kustomizations.containsKey(BASE) && kustomizations.containsKey(GPU), kustomizations.keySet()
                .toString());
        for (Map.Entry<Path, JsonNode> e : kustomizations.entrySet()) {
            Path dir = e.getKey();
            JsonNode k = e.getValue();
            assertEquals("kustomize.config.k8s.io/v1beta1", k.path("apiVersion").asString(), dir.toString());
            k.propertyNames().forEach(f -> assertTrue(KUSTOMIZATION_KEYS.contains(f), dir + "/kustomization"
                    + ".yaml: unknown field '" + f + "'"));
            for (JsonNode r : k.path("resources")) {
                Path p = dir.resolve(r.asString()).normalize();
                assertTrue(Files.isRegularFile(p) || Files.isRegularFile(p.resolve("kustomization.yaml")), dir
                        + ": resource " + r.asString() + " is neither a file nor a kustomization");
            }
            for (JsonNode p : k.path("patches")) {
                p.propertyNames().forEach(f -> assertTrue(Set.of("path", "patch", "target", "options")
                        .contains(f), dir + ": unknown field of a patch: " + f));
                if (p.has("path")) {
                    assertTrue(Files.isRegularFile(dir.resolve(p.get("path").asString())), dir + ": patch "
                            + p.get("path").asString() + " does not exist");
                }
            }
            for (JsonNode g : k.path("secretGenerator")) {
                g.propertyNames().forEach(f -> assertTrue(Set.of("name", "envs", "files", "literals", "type",
                        "options", "behavior").contains(f), dir + ": unknown field of a secretGenerator: " + f));
                for (JsonNode env : g.path("envs")) {
                    assertTrue(Files.isRegularFile(dir.resolve(env.asString())), dir + ": " + env.asString());
                }
            }
            for (JsonNode i : k.path("images")) {
                i.propertyNames().forEach(f -> assertTrue(Set.of("name", "newName", "newTag", "digest")
                        .contains(f), dir + ": unknown field of an image: " + f));
            }
        }
    }

    @Test
    void theBindingIsStrictAMisspeltFieldAnywhereFails() throws IOException {
        String server = Files.readString(BASE.resolve("server.yaml"));
        String deployment = server.substring(0, server.indexOf("\n---"));
        assertEquals(Deployment.class, bind(documents(deployment, "server").get(0), "server").getClass());
        // a misspelt field at each depth: spec, pod spec, container, probe; and a key given twice
        List<String[]> typos = List.of(
                new String[] {"  replicas: 1", "  replica: 1"},
                new String[] {"terminationGracePeriodSeconds:", "terminationGracePeriodSecond:"},
                new String[] {"          readinessProbe:", "          readinesProbe:"},
                new String[] {"              path: /health/live", "              pth: /health/live"},
                new String[] {"          imagePullPolicy: IfNotPresent",
                        "          imagePullPolicy: IfNotPresent\n          imagePullPolicy: Always"},
                // and values of the wrong type, which Kubernetes refuses too
                new String[] {"  replicas: 1", "  replicas: \"1\""},
                new String[] {"      app: loadgen-server", "      app: true"},
                new String[] {"\"--port\", \"8091\"", "\"--port\", 8091"});
        for (String[] t : typos) {
            assertTrue(deployment.contains(t[0]), t[0]);
            String bad = deployment.replace(t[0], t[1]);
            assertThrows(AssertionError.class, () -> bind(documents(bad, "typo").get(0), "typo"),
                    "binding accepted: " + t[1].strip());
        }
        String agents = Files.readString(BASE.resolve("agents.yaml"));
        String job = agents.substring(agents.indexOf("apiVersion: batch/v1"));
        bind(documents(job, "agents").get(0), "agents");
        String badJob = job.replace("secretKeyRef:", "secretKeyReference:");
        assertThrows(AssertionError.class, () -> bind(documents(badJob, "typo").get(0), "typo"));
        String badKind = job.replace("apiVersion: batch/v1", "apiVersion: batch/v2");
        assertThrows(AssertionError.class, () -> bind(documents(badKind, "typo").get(0), "typo"));
    }

    // -------------------------------------------------------------------------------------------- the server

    @Test
    void theServersPortAndProbesAreTheOnesTheServerListensAndAnswersOn() throws Exception {
        Deployment d = one(BASE, Deployment.class, "loadgen-server");
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = only(pod.getContainers());
        Loadgen serve = Loadgen.of(c, secrets());
        assertEquals("serve", serve.command());
        int port = serve.settings().get(ServerSettings.SERVER_PORT);
        assertTrue(InetAddress.getByName(serve.settings().get(ServerSettings.SERVER_IP)).isAnyLocalAddress(),
                "the server must bind all addresses in a pod, not " + serve.settings().get(ServerSettings.SERVER_IP));
        assertEquals(Optional.of(Path.of("fashion-mnist")), serve.settings().get(ServerSettings.MODEL));
        ContainerPort http = only(c.getPorts());
        assertEquals(port, http.getContainerPort(), "containerPort is not the port the server listens on");
        assertEquals("/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/health/live", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals(port, resolve(c.getReadinessProbe().getHttpGet().getPort(), c), "readiness probe port");
        assertEquals(port, resolve(c.getLivenessProbe().getHttpGet().getPort(), c), "liveness probe port");
        assertTrue(c.getLivenessProbe().getFailureThreshold() * c.getLivenessProbe().getPeriodSeconds() >= 20,
                "liveness gives up too soon");
        for (String r : List.of("cpu", "memory")) {
            assertNotNull(c.getResources().getRequests().get(r), "request " + r);
            assertNotNull(c.getResources().getLimits().get(r), "limit " + r);
        }
        assertEquals(1, d.getSpec().getReplicas());
        assertTrue(matches(d.getSpec().getSelector().getMatchLabels(), d.getSpec().getTemplate()));

        Service svc = one(BASE, Service.class, "loadgen-server");
        assertEquals("ClusterIP", svc.getSpec().getType());
        assertTrue(matches(svc.getSpec().getSelector(), d.getSpec().getTemplate()), "the Service selects no server");
        ServicePort sp = only(svc.getSpec().getPorts());
        assertEquals(port, resolve(sp.getTargetPort(), c), "the Service's targetPort is not the server's port");
    }

    @Test
    void theProbedPathsAreTheServersRoutesLiveWhileLoadingReadyOnceLoaded() throws Exception {
        Container c = only(one(BASE, Deployment.class, "loadgen-server").getSpec().getTemplate().getSpec()
                .getContainers());
        String ready = c.getReadinessProbe().getHttpGet().getPath();
        String live = c.getLivenessProbe().getHttpGet().getPath();
        URI target = coordinator().settings().get(CoreSettings.TARGET);
        Path payload = coordinator().settings().get(CoreSettings.PAYLOAD).orElseThrow();
        Path sample = imagePathToRepo(payload);
        Path jpeg;
        try (Stream<Path> s = Files.list(sample)) {
            jpeg = s.filter(p -> p.toString().endsWith(".jpg")).sorted().findFirst().orElseThrow();
        }
        CountDownLatch load = new CountDownLatch(1);
        InferenceServer server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0)
                .imageDecoder(ImageDecoder.Kind.IMAGEIO).build(), maxBatch -> {
                    load.await(); // a model that loads when told
                    return new BrightnessModel(0, 0);
                });
        try {
            HttpClient http = HttpClient.newHttpClient();
            Function<String, Integer> get = path -> send(http, HttpRequest.newBuilder(server.baseUri().resolve(path))
                    .GET().build());
            assertEquals(200, get.apply(live), live + " while the model loads: the pod would be restarted");
            assertEquals(503, get.apply(ready), ready + " while the model loads: traffic would reach it");
            load.countDown();
            assertTrue(server.awaitReady(Duration.ofSeconds(10)));
            assertEquals(200, get.apply(ready), ready + " once loaded");
            assertEquals(200, get.apply(live), live + " once loaded");
            assertEquals(200, send(http, HttpRequest.newBuilder(server.baseUri().resolve(target.getPath()))
                    .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofFile(jpeg)).build()),
                    "the coordinator's target path with its payload");
        } finally {
            load.countDown();
            server.close();
        }
    }

    @Test
    void theGracePeriodCoversThePreStopSleepAndTheServersDrain() {
        Deployment d = one(BASE, Deployment.class, "loadgen-server");
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = only(pod.getContainers());
        Duration drain = ServerConfig.custom().build().drainTimeout();
        // Should a setting ever set the drain timeout, the value the manifest gives it counts.
        Settings s = Loadgen.of(c, secrets()).settings();
        for (Setting<?> setting : ServerSettings.GROUP.settings()) {
            if (setting.key().toLowerCase().contains("drain")) {
                drain = (Duration) s.get(setting);
            }
        }
        assertNotNull(c.getLifecycle().getPreStop(), "no preStop: the pod stops accepting before the endpoints"
                + " controller has taken it out of the Service");
        long preStop;
        if (c.getLifecycle().getPreStop().getSleep() != null) {
            preStop = c.getLifecycle().getPreStop().getSleep().getSeconds();
        } else {
            List<String> cmd = c.getLifecycle().getPreStop().getExec().getCommand();
            assertEquals("sleep", cmd.get(0), "preStop: " + cmd);
            preStop = Long.parseLong(cmd.get(1));
        }
        assertTrue(preStop >= 2 && preStop <= 15, "preStop sleep of " + preStop + " s");
        Long grace = pod.getTerminationGracePeriodSeconds();
        assertNotNull(grace, "terminationGracePeriodSeconds is not set (the default 30 s is implicit)");
        assertTrue(grace >= preStop + drain.toSeconds() + DRAIN_MARGIN_SECONDS, "terminationGracePeriodSeconds "
                + grace + " < preStop " + preStop + " s + the server's drain timeout " + drain.toSeconds() + " s + "
                + DRAIN_MARGIN_SECONDS + " s: the server would be killed while draining");
    }

    // ---------------------------------------------------------------------------- the agents and the coordinator

    @Test
    void theCoordinatorListsEveryAgentOfTheIndexedJobByItsStableDnsNameAndPort() {
        Service headless = one(BASE, Service.class, "loadgen-agents");
        assertEquals("None", headless.getSpec().getClusterIP(), "the agents' Service must be headless");
        Job agents = one(BASE, Job.class, "loadgen-agent");
        assertEquals("Indexed", agents.getSpec().getCompletionMode());
        PodTemplateSpec template = agents.getSpec().getTemplate();
        PodSpec pod = template.getSpec();
        assertEquals(headless.getMetadata().getName(), pod.getSubdomain(), "the pods' subdomain is not the headless"
                + " Service: their names would not resolve");
        assertTrue(matches(headless.getSpec().getSelector(), template), "the headless Service selects no agent");
        assertEquals("OnFailure", pod.getRestartPolicy());
        Container c = only(pod.getContainers());
        Loadgen agent = Loadgen.of(c, secrets());
        assertEquals("agent", agent.command());
        int rmiPort = agent.settings().get(RmiSettings.RMI_PORT);
        assertTrue(isAnyLocal(agent.option("--rmi-bind")), "the agent must bind all addresses: "
                + agent.option("--rmi-bind"));
        List<String> raw = c.getArgs();
        assertTrue(raw.get(raw.indexOf("--agent-id") + 1).contains("$(JOB_COMPLETION_INDEX)"),
                "agents need distinct ids");
        assertEquals(rmiPort, port(c, "rmi").getContainerPort());
        assertEquals(rmiPort, resolve(c.getReadinessProbe().getTcpSocket().getPort(), c), "readiness port");
        ServicePort sp = only(headless.getSpec().getPorts());
        assertEquals(rmiPort, sp.getPort(), "the headless Service's port is not the agents' --rmi-port");
        assertEquals(rmiPort, resolve(sp.getTargetPort(), c));

        int n = agents.getSpec().getCompletions();
        assertEquals(n, agents.getSpec().getParallelism(), "all agents must run at once");
        List<String> expected = IntStream.range(0, n).mapToObj(i -> agents.getMetadata().getName() + "-" + i + "."
                + pod.getSubdomain() + ":" + rmiPort).toList();
        Loadgen run = coordinator();
        assertEquals(expected, run.optionList("--agents"), "the coordinator's --agents are not the Job's pods");

        // Each agent's stubs name its own DNS name, with the index the Job controller gives it.
        EnvVar index = env(c, "JOB_COMPLETION_INDEX");
        assertNotNull(index, "JOB_COMPLETION_INDEX must be declared to be used in other variables");
        assertEquals(INDEX_ANNOTATION, index.getValueFrom().getFieldRef().getFieldPath());
        String opts = env(c, "JAVA_TOOL_OPTIONS").getValue();
        assertTrue(Arrays.asList(opts.split("\\s+")).contains("-Djava.rmi.server.hostname="
                + agents.getMetadata().getName() + "-$(JOB_COMPLETION_INDEX)." + pod.getSubdomain()), opts);

        // The coordinator waits for every agent and the server before it starts.
        Job coordinator = one(BASE, Job.class, "loadgen-coordinator");
        assertEquals(0, coordinator.getSpec().getBackoffLimit(), "a failed run must not be run again");
        assertEquals("Never", coordinator.getSpec().getTemplate().getSpec().getRestartPolicy());
        Container wait = only(coordinator.getSpec().getTemplate().getSpec().getInitContainers());
        URI target = run.settings().get(CoreSettings.TARGET);
        List<String> waited = new ArrayList<>(expected);
        waited.add(target.getHost() + ":" + target.getPort());
        assertEquals(waited, wait.getArgs(), "the init container waits for other hosts than the run uses");
        Service server = one(BASE, Service.class, target.getHost());
        assertEquals(target.getPort(), only(server.getSpec().getPorts()).getPort(), "--target's port");
        assertEquals("/v1/classify", target.getPath());
        // the results dir is on a volume
        Container coord = only(coordinator.getSpec().getTemplate().getSpec().getContainers());
        String out = run.option("--out");
        assertTrue(coord.getVolumeMounts().stream().anyMatch(m -> out.startsWith(m.getMountPath() + "/")),
                "--out " + out + " is on no volume");
    }

    @Test
    void theAgentsAndTheCoordinatorTakeTheTokenFromTheSameSecretKey() {
        Container agent = only(one(BASE, Job.class, "loadgen-agent").getSpec().getTemplate().getSpec().getContainers());
        Container coord = only(one(BASE, Job.class, "loadgen-coordinator").getSpec().getTemplate().getSpec()
                .getContainers());
        String var = RmiSettings.RMI_TOKEN.envName();
        SecretKeySelector a = env(agent, var).getValueFrom().getSecretKeyRef();
        SecretKeySelector b = env(coord, var).getValueFrom().getSecretKeyRef();
        assertNotNull(a, "the agent's token is not from a Secret");
        assertEquals(a.getName(), b.getName());
        assertEquals(a.getKey(), b.getKey());
        Map<String, Map<String, String>> secrets = secrets();
        assertTrue(secrets.containsKey(a.getName()), "no Secret " + a.getName() + " in base: " + secrets.keySet());
        assertFalse(secrets.get(a.getName()).getOrDefault(a.getKey(), "").isBlank(), "the Secret has no "
                + a.getKey() + ": the agents would refuse to start");
        Optional<String> token = Loadgen.of(agent, secrets).settings().get(RmiSettings.RMI_TOKEN);
        assertTrue(token.isPresent());
        assertEquals(token, Loadgen.of(coord, secrets).settings().get(RmiSettings.RMI_TOKEN));
    }

    @Test
    void onlyTheCoordinatorMayReachTheAgentsRmiPortAndOnlyPrometheusTheirMetricsPort() {
        checkNetworkPolicies(manifests.get(BASE));
    }

    /**
     * Who may connect where, as a network plugin that enforces NetworkPolicy decides it: the coordinator, and no
     * other pod, reaches the agents' RMI port; Prometheus' pods, from any namespace, reach the metrics ports, and no
     * other pod reaches the agents'; the server and the coordinator, which no policy selects, stay open.
     */
    private static void checkNetworkPolicies(List<HasMetadata> base) {
        List<NetworkPolicy> policies = base.stream().filter(NetworkPolicy.class::isInstance)
                .map(NetworkPolicy.class::cast).toList();
        assertFalse(policies.isEmpty(), "no NetworkPolicy");
        PodTemplateSpec agents = find(base, Job.class, "loadgen-agent").getSpec().getTemplate();
        PodTemplateSpec coordinator = find(base, Job.class, "loadgen-coordinator").getSpec().getTemplate();
        PodTemplateSpec server = find(base, Deployment.class, "loadgen-server").getSpec().getTemplate();
        Container agent = only(agents.getSpec().getContainers());
        int rmiPort = Loadgen.of(agent, secrets()).settings().get(RmiSettings.RMI_PORT);
        int agentMetrics = Loadgen.of(agent, secrets()).settings().get(MetricsSettings.METRICS_PORT).orElseThrow();
        int coordinatorMetrics = Loadgen.of(only(coordinator.getSpec().getContainers()), secrets()).settings()
                .get(MetricsSettings.METRICS_PORT).orElseThrow();
        int serverPort = Loadgen.of(only(server.getSpec().getContainers()), secrets()).settings()
                .get(ServerSettings.SERVER_PORT);

        Peer theCoordinator = new Peer(NAMESPACE, coordinator.getMetadata().getLabels());
        Peer anAgent = new Peer(NAMESPACE, agents.getMetadata().getLabels());
        Peer anotherPod = new Peer(NAMESPACE, Map.of("app", "something-else"));
        Peer prometheus = new Peer("monitoring", PROMETHEUS_POD);
        Peer prometheusHere = new Peer(NAMESPACE, PROMETHEUS_POD);
        Peer anotherPodElsewhere = new Peer("monitoring", Map.of("app.kubernetes.io/name", "grafana"));

        assertTrue(admits(policies, agents, rmiPort, theCoordinator), "the coordinator cannot reach the agents");
        for (Peer p : List.of(anAgent, anotherPod, prometheus, anotherPodElsewhere)) {
            assertFalse(admits(policies, agents, rmiPort, p), p + " may reach the agents' RMI port");
        }
        for (Peer p : List.of(prometheus, prometheusHere)) {
            assertTrue(admits(policies, agents, agentMetrics, p), p + " cannot scrape the agents");
            assertTrue(admits(policies, coordinator, coordinatorMetrics, p), p + " cannot scrape the coordinator");
            assertTrue(admits(policies, server, serverPort, p), p + " cannot scrape the server");
        }
        for (Peer p : List.of(anAgent, anotherPod, theCoordinator, anotherPodElsewhere)) {
            assertFalse(admits(policies, agents, agentMetrics, p), p + " may reach the agents' metrics port");
        }
        // the server's clients: the agents send it the load, the coordinator's init container waits for it
        for (Peer p : List.of(anAgent, theCoordinator, anotherPod)) {
            assertTrue(admits(policies, server, serverPort, p), p + " cannot reach the server");
        }
    }

    // ------------------------------------------------------------------------------------------ every container

    @Test
    void everyContainersArgumentsParseAsALoadgenCommandLineAndItsVariablesResolve() {
        int loadgen = 0;
        for (Map.Entry<Path, List<HasMetadata>> e : manifests.entrySet()) {
            for (HasMetadata o : e.getValue()) {
                PodSpec pod = podSpec(o);
                if (pod == null) {
                    continue;
                }
                List<Container> all = new ArrayList<>(pod.getContainers());
                all.addAll(pod.getInitContainers());
                for (Container c : all) {
                    String where = e.getKey() + " " + o.getKind() + "/" + o.getMetadata().getName() + " container "
                            + c.getName();
                    checkVariables(c, where);
                    if (c.getCommand().isEmpty() && !c.getArgs().isEmpty()) {
                        try {
                            Loadgen.of(c, secrets());
                        } catch (RuntimeException ex) {
                            throw new AssertionError(where + ": " + c.getArgs() + " is no loadgen command line: " + ex,
                                    ex);
                        }
                        loadgen++;
                    }
                }
            }
        }
        assertTrue(loadgen >= 3, "parsed " + loadgen + " loadgen command lines");
        // and a misspelt flag would have failed
        Container bad = new Container();
        bad.setArgs(List.of("agent", "--rmi-prot", "2222"));
        assertThrows(CommandLine.ParameterException.class, () -> Loadgen.of(bad, Map.of()));
    }

    /** Every $(VAR) refers to a variable of the container; in an env value, to one declared before it. */
    private static void checkVariables(Container c, String where) {
        List<String> declared = new ArrayList<>();
        for (EnvVar v : c.getEnv()) {
            if (v.getValue() != null) {
                for (String ref : references(v.getValue())) {
                    assertTrue(declared.contains(ref), where + ": env " + v.getName() + " refers to $(" + ref + "),"
                            + " which is not declared before it (Kubernetes leaves it as written)");
                }
            }
            declared.add(v.getName());
        }
        for (String arg : concat(c.getCommand(), c.getArgs())) {
            for (String ref : references(arg)) {
                assertTrue(declared.contains(ref), where + ": $(" + ref + ") in " + arg + " is not an env variable");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- overlays

    @Test
    void theGpuOverlayGivesTheServerAGpuAndItsOwnImage() {
        JsonNode k = kustomizations.get(GPU);
        assertTrue(names(k.path("resources")).contains("../../base"));
        Deployment patch = one(GPU, Deployment.class, "loadgen-server");
        Container base = only(one(BASE, Deployment.class, "loadgen-server").getSpec().getTemplate().getSpec()
                .getContainers());
        Container c = only(patch.getSpec().getTemplate().getSpec().getContainers());
        assertEquals(base.getName(), c.getName(), "the patch would add a container instead of changing the server");
        Quantity gpus = c.getResources().getLimits().get("nvidia.com/gpu");
        assertNotNull(gpus, "the GPU overlay requests no nvidia.com/gpu");
        assertTrue(gpus.getNumericalAmount().intValue() >= 1);
        assertFalse(c.getImage().equals(base.getImage()), "the GPU server needs the -Pgpu image");
        assertTrue(names(k.path("images")).contains(c.getImage()), "the overlay does not set " + c.getImage());
        assertFalse(patch.getSpec().getTemplate().getSpec().getNodeSelector().isEmpty());
        assertFalse(patch.getSpec().getTemplate().getSpec().getTolerations().isEmpty());
    }

    @Test
    void everyOverlayPatchChangesWhatTheBaseHasInsteadOfAddingToIt() {
        int patched = 0;
        for (Map.Entry<Path, JsonNode> e : kustomizations.entrySet()) {
            Path dir = e.getKey();
            for (JsonNode p : e.getValue().path("patches")) {
                if (!p.has("path")) {
                    continue;
                }
                for (HasMetadata patch : manifests.get(dir)) {
                    if (!dir.resolve(p.get("path").asString()).equals(SOURCE.get(patch))) {
                        continue;
                    }
                    HasMetadata base = one(BASE, patch.getClass(), patch.getMetadata().getName());
                    String where = dir.getFileName() + ": " + p.get("path").asString();
                    PodSpec pp = podSpec(patch);
                    if (pp != null) {
                        PodSpec bp = podSpec(base);
                        Set<String> containers = bp.getContainers().stream().map(Container::getName)
                                .collect(Collectors.toSet());
                        pp.getContainers().forEach(c -> assertTrue(containers.contains(c.getName()), where
                                + ": container " + c.getName() + " is not in the base"));
                        Set<String> volumes = bp.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
                        pp.getVolumes().forEach(v -> assertTrue(volumes.contains(v.getName()), where + ": volume "
                                + v.getName() + " is not in the base"));
                    }
                    if (patch instanceof Service s) {
                        Set<Integer> ports = ((Service) base).getSpec().getPorts().stream().map(ServicePort::getPort)
                                .collect(Collectors.toSet());
                        s.getSpec().getPorts().forEach(sp -> assertTrue(ports.contains(sp.getPort()), where
                                + ": port " + sp.getPort() + " is not in the base"));
                    }
                    patched++;
                }
            }
        }
        assertTrue(patched >= 3, "checked " + patched + " patches");
    }

    // ------------------------------------------------------------------------------------------------ the image

    @Test
    void theDockerfileAndTheJibConfigurationBuildTheImageTheManifestsExpect() throws Exception {
        Dockerfile df = Dockerfile.read(ROOT.resolve("Dockerfile"));
        String w = df.workdir();
        assertEquals("/opt/loadgen", w);
        assertEquals(List.of("java", "-Dloadgen.conf=" + w + "/conf/sys.properties", "-jar", w + "/loadgen-cli.jar"),
                df.entrypoint());
        assertEquals(w + "/loadgen-cli.jar", df.copyDestination("/src/loadgen-cli/target/loadgen-cli.jar"));
        assertEquals(w + "/lib/", df.copyDestination("/src/loadgen-cli/target/lib/"), "the jar's Class-Path is lib/");
        assertEquals(w + "/conf/", df.copyDestination("conf/"));
        assertTrue(Files.isRegularFile(SHIPPED_CONF));
        // --model fashion-mnist is models/fashion-mnist in the working directory
        String models = df.copyDestination("models/");
        String modelInImage = w + "/" + ServerSettings.FASHION_MNIST.toString().replace('\\', '/');
        assertTrue(modelInImage.startsWith(models), modelInImage + " is not under " + models);
        assertTrue(Files.isRegularFile(ROOT.resolve(ServerSettings.FASHION_MNIST).resolve("saved_model.pb")));
        assertTrue(df.runs().stream().anyMatch(r -> r.contains("mvn ") && r.contains("${MAVEN_PROFILES}")
                && r.contains("package -pl loadgen-cli -am")), "the build stage: " + df.runs());
        assertTrue(df.buildArgs().contains("MAVEN_PROFILES"));

        // the default command is the server on all addresses with the committed model
        Container cmd = new Container();
        cmd.setArgs(df.cmd());
        Loadgen serve = Loadgen.of(cmd, Map.of());
        assertEquals("serve", serve.command());
        assertTrue(isAnyLocal(serve.settings().get(ServerSettings.SERVER_IP)));
        assertEquals(Optional.of(Path.of("fashion-mnist")), serve.settings().get(ServerSettings.MODEL));

        // the pods run as the image's user, and every path a manifest names in the image is in it
        String uid = df.user().split(":")[0];
        for (List<HasMetadata> l : manifests.values()) {
            for (HasMetadata o : l) {
                PodSpec pod = podSpec(o);
                if (pod != null && pod.getSecurityContext() != null && pod.getSecurityContext().getRunAsUser() != null) {
                    assertEquals(uid, String.valueOf(pod.getSecurityContext().getRunAsUser()), o.getMetadata()
                            .getName());
                }
            }
        }
        Path payload = coordinator().settings().get(CoreSettings.PAYLOAD).orElseThrow();
        assertTrue(Files.isDirectory(imagePathToRepo(payload)), payload.toString());
        assertTrue(coordinator().settings().get(CoreSettings.PAYLOAD).get().isAbsolute());

        // jib: the same base, working directory, user, settings file, main class, arguments and files
        Element jib = jibPlugin();
        assertEquals(0, jib.getElementsByTagName("executions").getLength(), "jib must not run in the lifecycle");
        assertEquals(df.runtimeBase(), text(jib, "from", "image"));
        String imageName = kustomizations.get(BASE).path("images").get(0).path("name").asString();
        assertEquals(imageName, text(jib, "to", "image"), "jib's image is not the one the manifests run");
        assertEquals(w, text(jib, "container", "workingDirectory"));
        assertEquals(df.user(), text(jib, "container", "user"));
        List<String> entry = list(jib, "container", "entrypoint");
        assertEquals(df.entrypoint().subList(0, 2), entry.subList(0, 2), "java and the settings file");
        assertEquals(mainClass(), entry.get(entry.size() - 1), "jib's main class is not the jar's");
        assertEquals(df.cmd(), list(jib, "container", "args"));
        assertEquals(df.exposed(), list(jib, "container", "ports"));
        Map<String, String> extra = new LinkedHashMap<>();
        Element paths = child(child(jib, "extraDirectories"), "paths");
        for (Element p : children(paths, "path")) {
            String from = text(p, "from").replace("${project.basedir}/../", "");
            extra.put(from, text(p, "into"));
        }
        for (String dir : List.of("conf", "models", "samples/images")) {
            assertTrue(Files.isDirectory(ROOT.resolve(dir)), dir);
            assertEquals(df.copyDestination(dir + "/"), extra.get(dir) + "/", "jib puts " + dir + " elsewhere");
        }
        assertEquals(df.env().get("TF_CPP_MIN_LOG_LEVEL"), text(jib, "container", "environment",
                "TF_CPP_MIN_LOG_LEVEL"));

        // the build context keeps what the build reads
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertTrue(ignored.contains("**/target") && ignored.contains(".git"), ignored.toString());
        for (String kept : List.of("pom.xml", "conf", "models", "samples", "loadgen-cli", "loadgen-gatling", "bench")) {
            assertFalse(ignored.contains(kept) || ignored.contains(kept + "/"), kept + " is needed by the build");
        }
    }

    // ------------------------------------------------------------------------------- metrics: Prometheus, Grafana

    @Test
    void theAgentsAndTheCoordinatorServeMetricsOnThePortAndPathTheirPodsAnnounce() throws Exception {
        checkLoadgenMetricsPorts(manifests.get(BASE));
        // the path they announce is where loadgen's endpoint serves its metrics
        for (String job : List.of("loadgen-agent", "loadgen-coordinator")) {
            String path = annotations(one(BASE, Job.class, job).getSpec().getTemplate()).get(PATH_ANNOTATION);
            try (MetricsEndpoint e = MetricsEndpoint.start(InetAddress.getLoopbackAddress(), 0,
                    new LoadMetrics("run", "local"))) {
                assertEquals(e.uri().getPath(), path, job + ": " + PATH_ANNOTATION);
                Exposition served = Exposition.parse(get(e.uri().resolve(path)));
                assertTrue(served.families().containsAll(new LoadMetrics("run", "local").getPrometheusNames()),
                        job + ": " + path + " serves " + served.families());
            }
        }
    }

    @Test
    void theServerAnnouncesThePortAndPathItServesItsMetricsOn() throws Exception {
        checkServerMetricsPort(manifests.get(BASE));
        String path = annotations(one(BASE, Deployment.class, "loadgen-server").getSpec().getTemplate())
                .get(PATH_ANNOTATION);
        Exposition served = Exposition.parse(scrapeServer(path));
        assertTrue(served.families().containsAll(SERVER_FAMILIES), path + " serves " + served.families());
    }

    /** The agents and the coordinator: --metrics-port on all addresses, that port declared and announced. */
    private static void checkLoadgenMetricsPorts(List<HasMetadata> base) {
        for (String job : List.of("loadgen-agent", "loadgen-coordinator")) {
            PodTemplateSpec t = find(base, Job.class, job).getSpec().getTemplate();
            Container c = only(t.getSpec().getContainers());
            Settings s = Loadgen.of(c, secrets()).settings();
            int port = s.get(MetricsSettings.METRICS_PORT).orElseThrow(() -> new AssertionError(job
                    + ": no --metrics-port"));
            assertTrue(port > 0, job + ": --metrics-port " + port + " (0 picks a port nobody knows)");
            assertTrue(isAnyLocal(s.get(MetricsSettings.METRICS_BIND)), job + ": --metrics-bind "
                    + s.get(MetricsSettings.METRICS_BIND) + " is out of Prometheus' reach");
            assertEquals(port, port(c, "metrics").getContainerPort(), job + ": containerPort 'metrics' is not"
                    + " --metrics-port");
            checkAnnotations(t, port, job);
        }
    }

    /** The server: its annotations name the port it listens on. */
    private static void checkServerMetricsPort(List<HasMetadata> base) {
        PodTemplateSpec t = find(base, Deployment.class, "loadgen-server").getSpec().getTemplate();
        Container c = only(t.getSpec().getContainers());
        int port = Loadgen.of(c, secrets()).settings().get(ServerSettings.SERVER_PORT);
        assertEquals(port, port(c, "http").getContainerPort());
        checkAnnotations(t, port, "loadgen-server");
    }

    private static void checkAnnotations(PodTemplateSpec t, int port, String where) {
        Map<String, String> a = annotations(t);
        assertEquals("true", a.get(SCRAPE_ANNOTATION), where + ": " + SCRAPE_ANNOTATION);
        assertEquals(String.valueOf(port), a.get(PORT_ANNOTATION), where + ": " + PORT_ANNOTATION
                + " is not the port it listens on");
        assertEquals("/metrics", a.get(PATH_ANNOTATION), where + ": " + PATH_ANNOTATION);
    }

    private static Map<String, String> annotations(PodTemplateSpec t) {
        Map<String, String> a = t.getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    // ---- the Grafana dashboard

    @Test
    void theDashboardQueriesOnlyWhatLoadgenAndTheServerExport() throws Exception {
        checkDashboard(Files.readString(DASHBOARD), loadgenExposition(), Exposition.parse(scrapeServer("/metrics")));
    }

    /** @return what loadgen's endpoint serves, for a run that has not yet published an interval */
    private static Exposition loadgenExposition() throws IOException {
        LoadMetrics metrics = new LoadMetrics("run", "local");
        try (MetricsEndpoint e = MetricsEndpoint.start(InetAddress.getLoopbackAddress(), 0, metrics)) {
            Exposition x = Exposition.parse(get(e.uri()));
            assertTrue(x.families().containsAll(metrics.getPrometheusNames()), x.families().toString());
            return x;
        }
    }

    /**
     * @return what a real server (a stand-in model, one classify request answered, so that every family has a
     *     sample) serves at {@code path}
     */
    private static String scrapeServer(String path) throws Exception {
        InferenceServer server = InferenceServer.start(ServerConfig.custom().host("127.0.0.1").port(0)
                .imageDecoder(ImageDecoder.Kind.IMAGEIO).build(), maxBatch -> new BrightnessModel(0, 0));
        try {
            assertTrue(server.awaitReady(Duration.ofSeconds(10)));
            URI target = coordinator().settings().get(CoreSettings.TARGET);
            assertEquals(200, send(HttpClient.newHttpClient(), HttpRequest.newBuilder(server.baseUri()
                    .resolve(target.getPath())).header("Content-Type", "image/jpeg")
                    .POST(HttpRequest.BodyPublishers.ofFile(sampleJpeg())).build()));
            return get(server.baseUri().resolve(path));
        } finally {
            server.close();
        }
    }

    /**
     * The dashboard: valid JSON; its data source a variable of Prometheus data sources that every panel and query
     * uses; every panel a titled time series with a unit and queries; and every query asks only for what loadgen
     * and the server export: each loadgen_* and inference_* name a sample of one of the families they export (as a
     * real endpoint of each serves them), each label it matches one those samples carry (with the value it
     * matches, when that is literal), every loadgen_* selector restricted to the run and the agents chosen, every
     * range $__rate_interval, every variable defined.
     */
    private static void checkDashboard(String json, Exposition loadgen, Exposition server) {
        JsonNode d;
        try {
            d = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new AssertionError(DASHBOARD + ": not valid JSON: " + e.getMessage(), e);
        }
        assertEquals("loadgen", d.path("uid").asString(""), "uid");
        assertEquals(39, d.path("schemaVersion").asInt(), "schemaVersion");
        assertFalse(d.path("title").asString("").isBlank(), "title");
        Set<String> loadgenFamilies = Set.copyOf(new LoadMetrics("run", "local").getPrometheusNames());
        assertTrue(loadgen.families().containsAll(loadgenFamilies));
        assertTrue(server.families().containsAll(SERVER_FAMILIES), "ServerMetrics exports "
                + server.families().stream().filter(f -> f.startsWith("inference_")).sorted().toList()
                + ", not all of " + SERVER_FAMILIES);

        // variables: the data source, and queries of loadgen's labels
        Map<String, JsonNode> variables = new LinkedHashMap<>();
        for (JsonNode v : d.path("templating").path("list")) {
            assertNull(variables.put(v.path("name").asString(""), v), "variable " + v.path("name") + " twice");
        }
        List<String> ds = variables.values().stream().filter(v -> v.path("type").asString("").equals("datasource"))
                .map(v -> v.path("name").asString("")).toList();
        assertEquals(1, ds.size(), "one data source variable: " + ds);
        assertEquals("prometheus", variables.get(ds.get(0)).path("query").asString(""), "the data source variable"
                + " lists Prometheus data sources");
        String dsRef = "${" + ds.get(0) + "}";
        Map<String, String> queries = new LinkedHashMap<>(); // where -> PromQL
        for (String name : List.of("run", "agent")) {
            JsonNode v = variables.get(name);
            assertNotNull(v, "no variable " + name);
            assertEquals("query", v.path("type").asString(""), name);
            assertEquals(dsRef, v.path("datasource").path("uid").asString(""), "variable " + name + "'s data source");
            String q = v.path("query").isObject() ? v.path("query").path("query").asString("")
                    : v.path("query").asString("");
            Matcher m = LABEL_VALUES.matcher(q);
            assertTrue(m.matches(), "variable " + name + ": " + q);
            assertEquals(name, m.group(2), "variable " + name + " lists the values of " + m.group(2));
            queries.put("variable " + name, m.group(1));
        }
        JsonNode agent = variables.get("agent");
        assertTrue(agent.path("multi").asBoolean(false), "agent: multi-select");
        List<String> defaults = new ArrayList<>();
        agent.path("current").path("value").forEach(x -> defaults.add(x.asString("")));
        assertEquals(List.of("local", "all"), defaults, "agent's default: a single run's and a coordinator's merge,"
                + " not the agents' own (counted twice)");

        // panels
        Set<Integer> ids = new HashSet<>();
        List<int[]> boxes = new ArrayList<>();
        JsonNode panels = d.path("panels");
        assertTrue(panels.size() >= 8, "panels: " + panels.size());
        for (JsonNode p : panels) {
            String title = p.path("title").asString("");
            assertFalse(title.isBlank(), "a panel without a title: id " + p.path("id"));
            assertTrue(p.path("id").isInt() && ids.add(p.path("id").asInt()), title + ": id " + p.path("id")
                    + " is not a unique number");
            assertEquals("timeseries", p.path("type").asString(""), title);
            assertEquals(dsRef, p.path("datasource").path("uid").asString(""), title + ": data source");
            String unit = p.path("fieldConfig").path("defaults").path("unit").asString("");
            assertTrue(UNITS.contains(unit), title + ": unit '" + unit + "'");
            if (title.contains("requests/s")) {
                assertEquals("reqps", unit, title);
            }
            JsonNode g = p.path("gridPos");
            int[] box = {g.path("x").asInt(-1), g.path("y").asInt(-1), g.path("w").asInt(), g.path("h").asInt()};
            assertTrue(box[2] == 12 && (box[0] == 0 || box[0] == 12) && box[1] >= 0 && box[3] > 0, title
                    + ": gridPos " + g + " (two panels a row)");
            for (int[] o : boxes) {
                assertFalse(box[0] < o[0] + o[2] && o[0] < box[0] + box[2] && box[1] < o[1] + o[3]
                        && o[1] < box[1] + box[3], title + " overlaps another panel");
            }
            boxes.add(box);
            assertTrue(p.path("targets").size() >= 1, title + ": no query");
            Set<String> refIds = new HashSet<>();
            for (JsonNode t : p.path("targets")) {
                String expr = t.path("expr").asString("");
                assertFalse(expr.isBlank(), title + ": a blank query");
                assertTrue(refIds.add(t.path("refId").asString("")), title + ": refId " + t.path("refId") + " twice");
                assertEquals(dsRef, t.path("datasource").path("uid").asString(""), title + ": a query's data source");
                queries.put(title + " " + t.path("refId").asString(""), expr);
            }
        }

        // the queries
        Set<String> defined = new HashSet<>(variables.keySet());
        defined.addAll(List.of("__rate_interval", "__interval", "__range"));
        for (Map.Entry<String, String> q : queries.entrySet()) {
            String where = q.getKey() + ": " + q.getValue();
            String expr = q.getValue();
            Matcher v = VARIABLE.matcher(expr);
            while (v.find()) {
                String name = v.group(1) != null ? v.group(1) : v.group(2);
                assertTrue(defined.contains(name), where + ": $" + name + " is no variable");
            }
            Matcher r = RANGE.matcher(expr);
            while (r.find()) {
                assertEquals("$__rate_interval", r.group(1), where + ": a range other than $__rate_interval");
            }
            Matcher m = METRIC.matcher(expr);
            int loadgenNames = 0;
            while (m.find()) {
                String name = m.group(1);
                boolean ours = name.startsWith("loadgen_");
                Exposition x = ours ? loadgen : server;
                String family = x.familyOf().get(name);
                assertNotNull(family, where + ": " + name + " is no sample " + (ours ? "loadgen" : "the server")
                        + " exports");
                assertTrue((ours ? loadgenFamilies : Set.copyOf(SERVER_FAMILIES)).contains(family), where + ": "
                        + name + " is of " + family + ", not of the families " + (ours ? "LoadMetrics" : "ServerMetrics")
                        + " exports");
                loadgenNames += ours ? 1 : 0;
            }
            Matcher s = SELECTOR.matcher(expr);
            int loadgenSelectors = 0;
            while (s.find()) {
                String name = s.group(1);
                Exposition x = name.startsWith("loadgen_") ? loadgen : server;
                List<String[]> matchers = new ArrayList<>();
                Matcher lm = LABEL_MATCHER.matcher(s.group(2));
                while (lm.find()) {
                    matchers.add(new String[] {lm.group(1), lm.group(2), lm.group(3)});
                }
                assertEquals(s.group(2).isBlank() ? 0 : s.group(2).split(",").length, matchers.size(), where
                        + ": a label matcher not understood in {" + s.group(2) + "}");
                for (String[] lmv : matchers) {
                    boolean literal = !lmv[2].contains("$") && (lmv[1].equals("=") || lmv[1].equals("!="));
                    assertTrue(x.has(name, lmv[0], literal ? lmv[2] : null), where + ": " + name + " has no sample"
                            + " with " + lmv[0] + (literal ? "=\"" + lmv[2] + "\"" : ""));
                }
                if (name.startsWith("loadgen_") && !q.getKey().startsWith("variable ")) {
                    loadgenSelectors++;
                    Set<String> ms = matchers.stream().map(a -> a[0] + a[1] + a[2]).collect(Collectors.toSet());
                    assertTrue(ms.contains("run=~$run") && ms.contains("agent=~$agent"), where + ": " + name
                            + " without run=~\"$run\" and agent=~\"$agent\": other runs, or agents counted twice");
                }
            }
            if (!q.getKey().startsWith("variable ")) {
                assertEquals(loadgenNames, loadgenSelectors, where + ": a loadgen_* metric without a selector");
            }
        }
    }

    @Test
    void theDashboardCheckFailsOnAMistake() throws Exception {
        String json = Files.readString(DASHBOARD);
        Exposition loadgen = loadgenExposition();
        Exposition server = Exposition.parse(scrapeServer("/metrics"));
        checkDashboard(json, loadgen, server);
        // in the queries (as the JSON escapes them)
        List<String[]> promql = List.of(
                new String[] {"loadgen_requests_scheduled_total{", "loadgen_request_scheduled_total{"},
                new String[] {"loadgen_requests_shed_total", "loadgen_requests_shed"},
                new String[] {"loadgen_latency_seconds_bucket", "loadgen_latency_seconds_buckets"},
                new String[] {"loadgen_target_rate_requests_per_second", "loadgen_target_rate_per_second"},
                new String[] {"inference_request_seconds{", "inference_request_second{"},
                new String[] {"inference_requests_total", "inference_requests"},
                new String[] {"inference_batch_size_sum", "inference_batch_sizes_sum"},
                new String[] {"inference_request_seconds{", "inference_request_seconds_max{"},
                new String[] {"quantile=\"0.99\"", "quantile=\"0.95\""},
                new String[] {"outcome=\"ok\"", "outcome=\"okay\""},
                new String[] {"agent=~\"$agent\"", "agnet=~\"$agent\""},
                new String[] {",agent=~\"$agent\"}", "}"},
                new String[] {"run=~\"$run\",", ""},
                new String[] {"[$__rate_interval]", "[5m]"},
                new String[] {"$agent", "$agents"});
        for (String[] m : promql) {
            String from = escapeJson(m[0]);
            assertTrue(json.contains(from), m[0]);
            String bad = json.replace(from, escapeJson(m[1]));
            assertThrows(AssertionError.class, () -> checkDashboard(bad, loadgen, server), "accepted: " + m[1]);
        }
        // in the dashboard's structure
        List<String[]> structure = List.of(
                new String[] {"\"uid\": \"${datasource}\"", "\"uid\": \"prometheus\""},
                new String[] {"\"query\": \"prometheus\"", "\"query\": \"loki\""},
                new String[] {"\"name\": \"agent\"", "\"name\": \"agents\""},
                new String[] {"\"id\": 8,", "\"id\": 7,"},
                new String[] {"\"title\": \"Send lag p99: the generator's own lateness\"", "\"title\": \"\""},
                new String[] {"\"unit\": \"reqps\"", "\"unit\": \"s\""},
                new String[] {"\"unit\": \"s\"", "\"unit\": \"seconds\""},
                new String[] {"\"x\": 12,", "\"x\": 6,"},
                new String[] {"\"expr\": \"sum by (lane) (inference_queue_depth)\"", "\"expr\": \" \""},
                new String[] {"\"value\": [\n            \"local\",\n            \"all\"\n          ]",
                        "\"value\": [\n            \"local\"\n          ]"},
                new String[] {"\"schemaVersion\": 39", "\"schemaVersion\": 39, \"schemaVersion\": 39"},
                new String[] {"\"templating\": {", "\"templating\": {{"});
        for (String[] m : structure) {
            assertTrue(json.contains(m[0]), m[0]);
            String bad = json.replace(m[0], m[1]);
            assertThrows(AssertionError.class, () -> checkDashboard(bad, loadgen, server), "accepted: " + m[1]);
        }
        ObjectNode noTargets = (ObjectNode) JSON.readTree(json);
        ((ObjectNode) noTargets.path("panels").get(0)).putArray("targets");
        assertThrows(AssertionError.class, () -> checkDashboard(JSON.writeValueAsString(noTargets), loadgen, server));
    }

    private static String escapeJson(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** A text exposition (format 0.0.4): its samples' lines, and the family each sample name belongs to. */
    record Exposition(Map<String, String> familyOf, List<String> lines) {
        static Exposition parse(String text) {
            Map<String, String> familyOf = new HashMap<>();
            List<String> lines = new ArrayList<>();
            String family = null;
            for (String l : text.split("\n")) {
                if (l.startsWith("# TYPE ")) {
                    String[] w = l.split(" ");
                    // a counter's family is named without the _total of its sample
                    family = w[3].equals("counter") && w[2].endsWith("_total")
                            ? w[2].substring(0, w[2].length() - "_total".length()) : w[2];
                } else if (!l.isBlank() && !l.startsWith("#")) {
                    String name = l.split("[{ ]", 2)[0];
                    familyOf.put(name, family != null && name.startsWith(family) ? family : name);
                    lines.add(l);
                }
            }
            return new Exposition(familyOf, lines);
        }

        Set<String> families() {
            return new HashSet<>(familyOf.values());
        }

        /** @return whether a sample of that name has that label (with that value, unless null) */
        boolean has(String sample, String label, String value) {
            Pattern p = Pattern.compile(Pattern.quote(sample) + "\\{(.*,)?" + Pattern.quote(label) + "=\""
                    + (value == null ? "" : Pattern.quote(value) + "\""));
            return lines.stream().anyMatch(l -> p.matcher(l).lookingAt());
        }
    }

    // ---- the Prometheus configuration

    @Test
    void thePrometheusConfigurationScrapesEachAnnotatedPodOnceWhereItServesItsMetrics() throws IOException {
        checkPrometheusConfig(Files.readString(PROMETHEUS_YML), manifests.get(BASE));
    }

    /**
     * The kubernetes-pods job, played on the pods of base as Prometheus' pod discovery presents them (one target a
     * declared port of each container, one without a port for a container that declares none) and as its
     * relabelling rewrites them (the rules of prometheus.yml, run as Prometheus runs them): each loadgen pod is
     * scraped once, at its IP, on the port it listens on, at the path it announces; a pod that does not ask, or has
     * ended, not at all. And the scrape interval fits in the coordinator's --metrics-linger; the commented static
     * example is valid once uncommented, and names the ports loadgen and the server listen on.
     */
    private static void checkPrometheusConfig(String yml, List<HasMetadata> base) {
        JsonNode config = only(documents(yml, PROMETHEUS_YML.toString()));
        List<JsonNode> jobs = new ArrayList<>();
        config.path("scrape_configs").forEach(j -> {
            if (j.path("job_name").asString("").equals("kubernetes-pods")) {
                jobs.add(j);
            }
        });
        JsonNode job = only(jobs);
        JsonNode sd = only(new ArrayList<>(job.path("kubernetes_sd_configs").values()));
        assertEquals("pod", sd.path("role").asString(""), "kubernetes_sd_configs role");

        Map<String, PodTemplateSpec> scraped = new LinkedHashMap<>();
        scraped.put("loadgen-agent", find(base, Job.class, "loadgen-agent").getSpec().getTemplate());
        scraped.put("loadgen-coordinator", find(base, Job.class, "loadgen-coordinator").getSpec().getTemplate());
        scraped.put("loadgen-server", find(base, Deployment.class, "loadgen-server").getSpec().getTemplate());
        int metricsPort = 0;
        for (Map.Entry<String, PodTemplateSpec> e : scraped.entrySet()) {
            Container c = only(e.getValue().getSpec().getContainers());
            Settings s = Loadgen.of(c, secrets()).settings();
            int port = e.getKey().equals("loadgen-server") ? s.get(ServerSettings.SERVER_PORT)
                    : s.get(MetricsSettings.METRICS_PORT).orElseThrow();
            metricsPort = e.getKey().equals("loadgen-agent") ? port : metricsPort;
            Set<Map<String, String>> targets = scrapeTargets(job, e.getValue(), "Running");
            assertEquals(1, targets.size(), e.getKey() + " is scraped as " + targets);
            Map<String, String> t = targets.iterator().next();
            assertEquals(POD_IP + ":" + port, t.get("__address__"), e.getKey() + ": not the port it listens on");
            assertEquals(annotations(e.getValue()).get(PATH_ANNOTATION), t.get("__metrics_path__"), e.getKey());
            assertEquals("http", t.get("__scheme__"), e.getKey());
            assertEquals(Set.of(), scrapeTargets(job, e.getValue(), "Succeeded"), e.getKey() + " once ended");
        }
        // the annotations decide, whatever they say
        PodTemplateSpec other = new PodTemplateSpec();
        other.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
        other.getMetadata().setLabels(Map.of("app", "other"));
        other.getMetadata().setAnnotations(Map.of(SCRAPE_ANNOTATION, "true", PORT_ANNOTATION, "1234",
                PATH_ANNOTATION, "/other/metrics"));
        other.setSpec(scraped.get("loadgen-agent").getSpec());
        Map<String, String> t = only(new ArrayList<>(scrapeTargets(job, other, "Running")));
        assertEquals(POD_IP + ":1234", t.get("__address__"));
        assertEquals("/other/metrics", t.get("__metrics_path__"));
        other.getMetadata().setAnnotations(Map.of());
        assertEquals(Set.of(), scrapeTargets(job, other, "Running"), "a pod that does not ask is scraped");

        // the coordinator's endpoint lingers at least a scrape interval after the run
        String interval = job.has("scrape_interval") ? job.path("scrape_interval").asString()
                : config.path("global").path("scrape_interval").asString("1m");
        Duration linger = Loadgen.of(only(scraped.get("loadgen-coordinator").getSpec().getContainers()), secrets())
                .settings().get(MetricsSettings.METRICS_LINGER);
        assertTrue(linger.compareTo(io.loadgen.config.ChronoDurations.parse(interval, "s")) >= 0, "--metrics-linger "
                + linger + " is shorter than the scrape interval " + interval + ": the final figures may be missed");

        // the commented static example, uncommented
        List<String> lines = yml.lines().toList();
        int start = IntStream.range(0, lines.size()).filter(i -> lines.get(i).matches("\\s*#\\s*- job_name:.*"))
                .findFirst().orElseThrow(() -> new AssertionError("no commented static example"));
        StringBuilder example = new StringBuilder("scrape_configs:\n");
        for (String l : lines.subList(start, lines.size())) {
            assertTrue(l.matches("\\s*# .*"), "the static example ends the file: " + l);
            example.append(l.replaceFirst("# ", "")).append('\n');
        }
        List<String> targets = new ArrayList<>();
        for (JsonNode j : only(documents(example.toString(), "the static example")).path("scrape_configs")) {
            assertFalse(j.path("job_name").asString("").isBlank());
            for (JsonNode sc : j.path("static_configs")) {
                sc.path("targets").forEach(x -> targets.add(x.asString("")));
            }
        }
        assertEquals(Set.of("127.0.0.1:" + metricsPort, "127.0.0.1:" + ServerSettings.SERVER_PORT.defaultValue()),
                Set.copyOf(targets), "the static example's targets");
    }

    /**
     * @return what Prometheus scrapes of a pod of this template in the given phase: the targets its pod discovery
     *     makes of it, relabelled by the job, as their URL's parts and their labels (duplicates merged, as
     *     Prometheus merges targets with the same labels)
     */
    private static Set<Map<String, String>> scrapeTargets(JsonNode job, PodTemplateSpec t, String phase) {
        Map<String, String> pod = new TreeMap<>();
        pod.put("job", job.path("job_name").asString(""));
        pod.put("__scheme__", job.path("scheme").asString("http"));
        pod.put("__metrics_path__", job.path("metrics_path").asString("/metrics"));
        pod.put("__meta_kubernetes_namespace", NAMESPACE);
        pod.put("__meta_kubernetes_pod_name", "pod-0");
        pod.put("__meta_kubernetes_pod_ip", POD_IP);
        pod.put("__meta_kubernetes_pod_phase", phase);
        pod.put("__meta_kubernetes_pod_ready", phase.equals("Running") ? "true" : "false");
        Map<String, String> labels = t.getMetadata().getLabels() == null ? Map.of() : t.getMetadata().getLabels();
        labels.forEach((k, v) -> {
            pod.put("__meta_kubernetes_pod_label_" + sanitize(k), v);
            pod.put("__meta_kubernetes_pod_labelpresent_" + sanitize(k), "true");
        });
        annotations(t).forEach((k, v) -> {
            pod.put("__meta_kubernetes_pod_annotation_" + sanitize(k), v);
            pod.put("__meta_kubernetes_pod_annotationpresent_" + sanitize(k), "true");
        });
        List<Map<String, String>> discovered = new ArrayList<>();
        for (boolean init : List.of(false, true)) {
            for (Container c : init ? t.getSpec().getInitContainers() : t.getSpec().getContainers()) {
                Map<String, String> forC = new TreeMap<>(pod);
                forC.put("__meta_kubernetes_pod_container_name", c.getName());
                forC.put("__meta_kubernetes_pod_container_init", String.valueOf(init));
                if (c.getPorts().isEmpty()) {
                    forC.put("__address__", POD_IP);
                    discovered.add(forC);
                }
                for (ContainerPort p : c.getPorts()) {
                    Map<String, String> forP = new TreeMap<>(forC);
                    forP.put("__address__", POD_IP + ":" + p.getContainerPort());
                    forP.put("__meta_kubernetes_pod_container_port_name", Objects.requireNonNullElse(p.getName(), ""));
                    forP.put("__meta_kubernetes_pod_container_port_number", String.valueOf(p.getContainerPort()));
                    forP.put("__meta_kubernetes_pod_container_port_protocol",
                            Objects.requireNonNullElse(p.getProtocol(), "TCP"));
                    discovered.add(forP);
                }
            }
        }
        Set<Map<String, String>> scraped = new HashSet<>();
        for (Map<String, String> d : discovered) {
            Map<String, String> r = relabel(d, job.path("relabel_configs"));
            if (r != null) {
                r.keySet().removeIf(k -> k.startsWith("__meta_"));
                scraped.add(r);
            }
        }
        return scraped;
    }

    private static String sanitize(String name) {
        return name.replaceAll("[^a-zA-Z0-9_]", "_");
    }

    /** @return the labels as Prometheus' relabelling leaves them, or null for a target it drops */
    private static Map<String, String> relabel(Map<String, String> in, JsonNode configs) {
        Map<String, String> l = new TreeMap<>(in);
        for (JsonNode c : configs) {
            c.propertyNames().forEach(f -> assertTrue(Set.of("source_labels", "separator", "regex", "target_label",
                    "replacement", "action").contains(f), "a relabel field not simulated here: " + f));
            String action = c.path("action").asString("replace");
            Pattern re = Pattern.compile("^(?:" + c.path("regex").asString("(.*)") + ")$");
            List<String> sources = new ArrayList<>();
            c.path("source_labels").forEach(s -> sources.add(l.getOrDefault(s.asString(""), "")));
            String value = String.join(c.path("separator").asString(";"), sources);
            String replacement = c.path("replacement").asString("$1");
            switch (action) {
                case "keep" -> {
                    if (!re.matcher(value).matches()) {
                        return null;
                    }
                }
                case "drop" -> {
                    if (re.matcher(value).matches()) {
                        return null;
                    }
                }
                case "replace" -> {
                    Matcher m = re.matcher(value);
                    if (m.matches()) {
                        String target = expand(m, c.path("target_label").asString(""));
                        String result = expand(m, replacement);
                        if (result.isEmpty()) {
                            l.remove(target);
                        } else {
                            l.put(target, result);
                        }
                    }
                }
                case "labelmap" -> {
                    for (Map.Entry<String, String> e : new ArrayList<>(l.entrySet())) {
                        Matcher m = re.matcher(e.getKey());
                        if (m.matches()) {
                            l.put(expand(m, replacement), e.getValue());
                        }
                    }
                }
                case "labeldrop" -> l.keySet().removeIf(k -> re.matcher(k).matches());
                case "labelkeep" -> l.keySet().removeIf(k -> !re.matcher(k).matches());
                default -> fail("relabel action " + action + " is not simulated here");
            }
        }
        return l;
    }

    /** Go's Regexp.Expand, as Prometheus expands a replacement: $1, ${1}, $name, ${name}, $$. */
    private static String expand(Matcher m, String template) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char ch = template.charAt(i);
            if (ch != '$' || i + 1 == template.length()) {
                b.append(ch);
                continue;
            }
            if (template.charAt(i + 1) == '$') {
                b.append('$');
                i++;
                continue;
            }
            String name;
            int last;
            if (template.charAt(i + 1) == '{') {
                last = template.indexOf('}', i + 2);
                if (last < 0) {
                    b.append(ch);
                    continue;
                }
                name = template.substring(i + 2, last);
            } else {
                last = i + 1;
                while (last < template.length() && (Character.isLetterOrDigit(template.charAt(last))
                        || template.charAt(last) == '_')) {
                    last++;
                }
                name = template.substring(i + 1, last);
                last--;
                if (name.isEmpty()) {
                    b.append(ch);
                    continue;
                }
            }
            String group;
            if (name.chars().allMatch(Character::isDigit)) {
                int n = Integer.parseInt(name);
                group = n <= m.groupCount() ? m.group(n) : null;
            } else {
                try {
                    group = m.group(name);
                } catch (IllegalArgumentException e) {
                    group = null;
                }
            }
            b.append(Objects.requireNonNullElse(group, ""));
            i = last;
        }
        return b.toString();
    }

    @Test
    void theMetricsChecksOfTheManifestsAndOfPrometheusYmlFailOnAMistake() throws IOException {
        // the manifests: each mistake in a copy of base, bound as the real ones are
        List<String[]> manifestTypos = List.of(
                new String[] {"agents.yaml", "containerPort: 9464", "containerPort: 9465"},
                new String[] {"agents.yaml", "prometheus.io/port: \"9464\"", "prometheus.io/port: \"9465\""},
                new String[] {"agents.yaml", "prometheus.io/path: /metrics", "prometheus.io/path: /metric"},
                new String[] {"coordinator.yaml", "\"--metrics-port\", \"9464\"", "\"--metrics-port\", \"9465\""},
                new String[] {"coordinator.yaml", "\"--metrics-bind\", \"0.0.0.0\"", "\"--metrics-bind\", \"127.0.0.1\""},
                new String[] {"coordinator.yaml", "prometheus.io/scrape: \"true\"", "prometheus.io/scrape: \"false\""},
                new String[] {"coordinator.yaml", "- name: metrics", "- name: prometheus"},
                new String[] {"server.yaml", "prometheus.io/port: \"8091\"", "prometheus.io/port: \"9464\""});
        for (String[] t : manifestTypos) {
            List<HasMetadata> bad = baseWith(t[0], t[1], t[2]);
            assertThrows(AssertionError.class, () -> {
                checkLoadgenMetricsPorts(bad);
                checkServerMetricsPort(bad);
            }, t[0] + ": accepted " + t[2]);
        }
        String split = "        - namespaceSelector: {}\n          podSelector:";
        List<String[]> policyTypos = List.of(
                new String[] {split, "        - namespaceSelector: {}\n        - podSelector:"}, // either: anyone
                new String[] {split, "        - podSelector:"}, // Prometheus' namespace only
                new String[] {"app.kubernetes.io/name: prometheus", "app: prometheus"},
                new String[] {"port: 9464", "port: 9465"},
                new String[] {"app: loadgen-coordinator", "app: loadgen-agent"});
        for (String[] t : policyTypos) {
            List<HasMetadata> bad = baseWith("network-policy.yaml", t[0], t[1]);
            assertThrows(AssertionError.class, () -> checkNetworkPolicies(bad), "accepted: " + t[1]);
        }
        // prometheus.yml
        String yml = Files.readString(PROMETHEUS_YML);
        List<String[]> configTypos = List.of(
                new String[] {"job_name: kubernetes-pods", "job_name: pods"},
                new String[] {"- role: pod", "- role: endpoints"},
                new String[] {"action: keep", "action: drop"},
                new String[] {"regex: \"true\"", "regex: \"yes\""},
                new String[] {"prometheus_io_port]", "prometheus_io_prt]"},
                new String[] {"replacement: $1:$2", "replacement: $2:$1"},
                new String[] {"replacement: $1:$2", "replacement: $1_$2"},
                new String[] {"target_label: __metrics_path__", "target_label: __metric_path__"},
                new String[] {"regex: Pending|Succeeded|Failed", "regex: Pending|Failed"},
                new String[] {"scrape_interval: 15s", "scrape_interval: 1m"},
                new String[] {"127.0.0.1:8091", "127.0.0.1:8090"},
                new String[] {"  #     - targets: [\"127.0.0.1:9464\"]", "  #     - targets: [\"127.0.0.1:9464\"]]"});
        checkPrometheusConfig(yml, manifests.get(BASE));
        for (String[] t : configTypos) {
            assertTrue(yml.contains(t[0]), t[0]);
            String bad = yml.replace(t[0], t[1]);
            assertThrows(AssertionError.class, () -> checkPrometheusConfig(bad, manifests.get(BASE)), "accepted: "
                    + t[1]);
        }
    }

    /** @return the manifests of base, with one file's text changed */
    private static List<HasMetadata> baseWith(String file, String from, String to) throws IOException {
        Path f = BASE.resolve(file);
        String text = Files.readString(f);
        assertTrue(text.contains(from), file + ": " + from);
        List<HasMetadata> objects = new ArrayList<>(manifests.get(BASE).stream().filter(o -> !SOURCE.get(o).equals(f))
                .toList());
        for (JsonNode doc : documents(text.replace(from, to), file)) {
            objects.add(bind(doc, file));
        }
        return objects;
    }

    // ---- promtool, where it is installed

    @Test
    void promtoolAcceptsThePrometheusConfigurationAndTheDashboardsQueries() throws Exception {
        Optional<Path> promtool = onPath("promtool");
        Assumptions.assumeTrue(promtool.isPresent(), "promtool is not on the PATH: PromQL and the configuration"
                + " are not checked by Prometheus' own parser");
        Path dir = Files.createTempDirectory("promtool");
        try {
            // the configuration, with the static example uncommented
            String yml = Files.readString(PROMETHEUS_YML).replaceAll("(?m)^([ \\t]*)# ([ \\t]*(- job_name|static_configs"
                    + "|- targets))", "$1$2");
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, yml);
            String[] out = run(promtool.get().toString(), "check", "config", config.toString());
            if (!out[0].equals("0") && out[1].contains("field kubernetes_sd_configs not found")) {
                // a promtool built without Kubernetes discovery (Debian's): the rest of the job, with static targets
                Files.writeString(config, yml.replace("kubernetes_sd_configs:\n      - role: pod",
                        "static_configs:\n      - targets: [\"" + POD_IP + ":2222\"]"));
                out = run(promtool.get().toString(), "check", "config", config.toString());
            }
            assertEquals("0", out[0], "promtool check config: " + out[1]);

            // every query, with the variables as Grafana would fill them in, as a recording rule
            JsonNode d = JSON.readTree(Files.readString(DASHBOARD));
            StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
            int n = 0;
            for (JsonNode p : d.path("panels")) {
                for (JsonNode t : p.path("targets")) {
                    String expr = t.path("expr").asString("").replace("$__rate_interval", "1m")
                            .replace("$run", "run-1").replace("$agent", "(local|all)");
                    rules.append("      - record: dashboard:query").append(n++).append("\n        expr: ")
                            .append(JSON.writeValueAsString(expr)).append('\n');
                }
            }
            Path rulesFile = dir.resolve("rules.yml");
            Files.writeString(rulesFile, rules);
            out = run(promtool.get().toString(), "check", "rules", rulesFile.toString());
            assertEquals("0", out[0], "promtool check rules (the dashboard's queries): " + out[1]);
            assertTrue(out[1].contains(n + " rules found"), out[1]);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** @return the exit code and the output (stdout and stderr) */
    private static String[] run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " hangs");
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    // ---------------------------------------------------------------------------------------------- kustomize

    @Test
    void kubectlKustomizeRendersEveryKustomizationAndTheRenderingBindsStrictly() throws Exception {
        Optional<Path> kubectl = onPath("kubectl");
        Assumptions.assumeTrue(kubectl.isPresent(), "kubectl is not on the PATH: the rendering is not checked");
        Map<Path, List<HasMetadata>> rendered = new TreeMap<>();
        for (Path dir : kustomizations.keySet()) {
            Process p = new ProcessBuilder(kubectl.get().toString(), "kustomize", dir.toString())
                    .redirectError(ProcessBuilder.Redirect.PIPE).start();
            String out = read(p.getInputStream());
            String err = read(p.getErrorStream());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + dir + " hangs");
            assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + ": " + err);
            List<HasMetadata> objects = new ArrayList<>();
            for (JsonNode d : documents(out, "kubectl kustomize " + dir)) {
                objects.add(bind(d, "kubectl kustomize " + dir));
            }
            rendered.put(dir, objects);
        }
        // base: the Secret the agents and the coordinator name, with its key, and the registry-settable image
        List<HasMetadata> base = rendered.get(BASE);
        Secret secret = (Secret) base.stream().filter(o -> o instanceof Secret && o.getMetadata().getName()
                .equals("loadgen-rmi-token")).findFirst().orElseThrow(() -> new AssertionError("no Secret"));
        assertTrue(secret.getData().containsKey("token"));
        assertEquals(7, base.size(), base.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()
                .toString());
        // the pods keep the annotations Prometheus finds them by
        for (String job : List.of("loadgen-agent", "loadgen-coordinator")) {
            assertEquals(annotations(one(BASE, Job.class, job).getSpec().getTemplate()), annotations(find(base,
                    Job.class, job).getSpec().getTemplate()), job + ", rendered");
        }
        assertEquals(annotations(one(BASE, Deployment.class, "loadgen-server").getSpec().getTemplate()),
                annotations(find(base, Deployment.class, "loadgen-server").getSpec().getTemplate()));
        assertFalse(annotations(find(base, Deployment.class, "loadgen-server").getSpec().getTemplate()).isEmpty());
        // gpu: the server has a GPU and keeps its cpu and memory limits and probes; the agents keep the CPU image
        List<HasMetadata> gpu = rendered.get(GPU);
        Container server = only(podSpec(find(gpu, Deployment.class, "loadgen-server")).getContainers());
        assertTrue(server.getResources().getLimits().keySet().containsAll(List.of("nvidia.com/gpu", "cpu", "memory")),
                server.getResources().getLimits().toString());
        assertEquals("/health/ready", server.getReadinessProbe().getHttpGet().getPath());
        assertTrue(server.getImage().startsWith("loadgen-gpu"), server.getImage());
        Container agent = only(podSpec(find(gpu, Job.class, "loadgen-agent")).getContainers());
        assertTrue(agent.getImage().startsWith("loadgen:"), agent.getImage());
        // nodeport
        Service np = find(rendered.get(K8S.resolve("overlays").resolve("nodeport")), Service.class, "loadgen-server");
        assertEquals("NodePort", np.getSpec().getType());
        assertEquals("http", only(np.getSpec().getPorts()).getTargetPort().getStrVal());
        // results-pvc: the results volume is the claim alone
        List<HasMetadata> pvc = rendered.get(K8S.resolve("overlays").resolve("results-pvc"));
        Volume results = podSpec(find(pvc, Job.class, "loadgen-coordinator")).getVolumes().stream()
                .filter(v -> v.getName().equals("results")).findFirst().orElseThrow();
        assertNull(results.getEmptyDir());
        assertEquals(find(pvc, PersistentVolumeClaim.class, "loadgen-results").getMetadata().getName(),
                results.getPersistentVolumeClaim().getClaimName());
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /**
     * A pod that connects, as a NetworkPolicy sees it: its namespace (labelled with its name, as Kubernetes labels
     * every namespace) and its labels.
     */
    record Peer(String namespace, Map<String, String> labels) {
        Map<String, String> namespaceLabels() {
            return Map.of("kubernetes.io/metadata.name", namespace);
        }
    }

    /**
     * @return whether the policies (all in {@link #NAMESPACE}) let {@code from} connect to TCP {@code port} of a pod
     *     of {@code to}, as a network plugin that enforces them decides: a pod no Ingress policy selects admits all;
     *     one that some select admits what one of their rules admits
     */
    private static boolean admits(List<NetworkPolicy> policies, PodTemplateSpec to, int port, Peer from) {
        Map<String, String> labels = Objects.requireNonNullElse(to.getMetadata().getLabels(), Map.of());
        List<NetworkPolicy> selecting = policies.stream().filter(p -> (p.getSpec().getPolicyTypes().isEmpty()
                || p.getSpec().getPolicyTypes().contains("Ingress")) && selects(p.getSpec().getPodSelector(), labels))
                .toList();
        if (selecting.isEmpty()) {
            return true;
        }
        for (NetworkPolicy p : selecting) {
            for (NetworkPolicyIngressRule r : p.getSpec().getIngress()) {
                boolean peer = r.getFrom().isEmpty() || r.getFrom().stream().anyMatch(f -> admits(f, from));
                boolean ports = r.getPorts().isEmpty() || r.getPorts().stream().anyMatch(pp -> admits(pp, port, to));
                if (peer && ports) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean admits(NetworkPolicyPeer f, Peer from) {
        assertNull(f.getIpBlock(), "ipBlock is not evaluated here");
        if (f.getNamespaceSelector() == null) { // a podSelector alone: the policy's own namespace
            assertNotNull(f.getPodSelector(), "a peer without selectors");
            return NAMESPACE.equals(from.namespace()) && selects(f.getPodSelector(), from.labels());
        }
        return selects(f.getNamespaceSelector(), from.namespaceLabels())
                && (f.getPodSelector() == null || selects(f.getPodSelector(), from.labels()));
    }

    private static boolean admits(NetworkPolicyPort pp, int port, PodTemplateSpec to) {
        if (!"TCP".equals(Objects.requireNonNullElse(pp.getProtocol(), "TCP"))) {
            return false;
        }
        if (pp.getPort() == null) {
            return true;
        }
        if (pp.getPort().getIntVal() == null) { // a named port: of the pod's containers
            return to.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                    .anyMatch(cp -> pp.getPort().getStrVal().equals(cp.getName()) && cp.getContainerPort() == port);
        }
        int first = pp.getPort().getIntVal();
        return port >= first && port <= Objects.requireNonNullElse(pp.getEndPort(), first);
    }

    private static boolean selects(LabelSelector s, Map<String, String> labels) {
        if (!labels.entrySet().containsAll(Objects.requireNonNullElse(s.getMatchLabels(), Map.<String, String>of())
                .entrySet())) {
            return false;
        }
        for (LabelSelectorRequirement r : s.getMatchExpressions()) {
            boolean ok = switch (r.getOperator()) {
                case "In" -> r.getValues().contains(labels.get(r.getKey()));
                case "NotIn" -> !r.getValues().contains(labels.get(r.getKey()));
                case "Exists" -> labels.containsKey(r.getKey());
                case "DoesNotExist" -> !labels.containsKey(r.getKey());
                default -> throw new AssertionError("selector operator " + r.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static ContainerPort port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + ": no containerPort named " + name));
    }

    /** @return the body of a GET that must answer 200 */
    private static String get(URI uri) throws IOException {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "GET " + uri);
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return one of the JPEGs the coordinator sends */
    private static Path sampleJpeg() throws IOException {
        Path sample = imagePathToRepo(coordinator().settings().get(CoreSettings.PAYLOAD).orElseThrow());
        try (Stream<Path> s = Files.list(sample)) {
            return s.filter(p -> p.toString().endsWith(".jpg")).sorted().findFirst().orElseThrow();
        }
    }

    /** A container's arguments as loadgen parses them, and its settings as it loads them in the container. */
    record Loadgen(CommandLine.ParseResult sub, Settings settings) {
        static Loadgen of(Container c, Map<String, Map<String, String>> secrets) {
            String[] args = c.getArgs().stream().map(DeployManifestsTest::substitute).toArray(String[]::new);
            CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args);
            CommandLine.ParseResult sub = parsed.subcommand();
            assertNotNull(sub, "no loadgen command in " + Arrays.toString(args));
            Map<Setting<?>, Settings.FlagValue> flags = new LinkedHashMap<>();
            for (OptionSpec o : sub.matchedOptions()) {
                if (o.userObject() instanceof Setting<?> s) {
                    String v = s.isToggle() ? "true" : String.valueOf((Object) o.getValue());
                    flags.put(s, new Settings.FlagValue(o.longestName(), v));
                }
            }
            Map<String, String> env = new LinkedHashMap<>();
            for (EnvVar v : c.getEnv()) {
                if (v.getValue() != null) {
                    env.put(v.getName(), substitute(v.getValue()));
                } else if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
                    SecretKeySelector k = v.getValueFrom().getSecretKeyRef();
                    env.put(v.getName(), secrets.getOrDefault(k.getName(), Map.of()).getOrDefault(k.getKey(), ""));
                } else {
                    env.put(v.getName(), "0");
                }
            }
            // as the image runs it: -Dloadgen.conf=/opt/loadgen/conf/sys.properties, the container's environment
            return new Loadgen(sub, Settings.load(CliSettings.ALL, SHIPPED_CONF, env, flags));
        }

        String command() {
            return sub.commandSpec().name();
        }

        String option(String name) {
            Object v = sub.matchedOptionValue(name, null);
            return v == null ? null : v.toString();
        }

        List<String> optionList(String name) {
            List<String> v = sub.matchedOptionValue(name, List.of());
            return v;
        }
    }

    private static Loadgen coordinator() {
        Job j = one(BASE, Job.class, "loadgen-coordinator");
        Loadgen run = Loadgen.of(only(j.getSpec().getTemplate().getSpec().getContainers()), secrets());
        assertEquals("run", run.command());
        return run;
    }

    /** The Secrets in base: its Secret manifests and its kustomization's secretGenerator (env files, literals). */
    private static Map<String, Map<String, String>> secrets() {
        Map<String, Map<String, String>> all = new TreeMap<>();
        for (HasMetadata o : manifests.getOrDefault(BASE, List.of())) {
            if (o instanceof Secret s) {
                Map<String, String> values = new TreeMap<>(s.getStringData());
                s.getData().forEach((k, v) -> values.put(k, new String(java.util.Base64.getDecoder().decode(v),
                        StandardCharsets.UTF_8)));
                all.put(s.getMetadata().getName(), values);
            }
        }
        for (JsonNode g : kustomizations.get(BASE).path("secretGenerator")) {
            Map<String, String> values = new TreeMap<>();
            for (JsonNode env : g.path("envs")) {
                try {
                    for (String line : Files.readAllLines(BASE.resolve(env.asString()))) {
                        String l = line.strip();
                        if (!l.isEmpty() && !l.startsWith("#")) {
                            assertTrue(l.contains("="), env.asString() + ": " + l);
                            values.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            for (JsonNode lit : g.path("literals")) {
                String l = lit.asString();
                values.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
            all.put(g.path("name").asString(), values);
        }
        return all;
    }

    private static String substitute(String s) {
        return VAR_REF.matcher(s).replaceAll("0");
    }

    private static List<String> references(String s) {
        List<String> refs = new ArrayList<>();
        Matcher m = VAR_REF.matcher(s);
        while (m.find()) {
            refs.add(m.group(1));
        }
        return refs;
    }

    private static <T extends HasMetadata> T one(Path dir, Class<T> type, String name) {
        return find(manifests.getOrDefault(dir, List.of()), type, name);
    }

    private static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String name) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> name.equals(o.getMetadata().getName())).toList();
        assertEquals(1, found.size(), type.getSimpleName() + " " + name);
        return found.get(0);
    }

    private static <T> T only(List<T> l) {
        assertNotNull(l);
        assertEquals(1, l.size(), l.toString());
        return l.get(0);
    }

    private static PodSpec podSpec(HasMetadata o) {
        if (o instanceof Deployment d && d.getSpec() != null && d.getSpec().getTemplate() != null) {
            return d.getSpec().getTemplate().getSpec();
        }
        if (o instanceof Job j && j.getSpec() != null && j.getSpec().getTemplate() != null) {
            return j.getSpec().getTemplate().getSpec();
        }
        if (o instanceof Pod p) {
            return p.getSpec();
        }
        return null;
    }

    private static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(v -> v.getName().equals(name)).findFirst().orElse(null);
    }

    /** @return the port number a probe or Service names, by number or by the container's port name */
    private static int resolve(IntOrString port, Container c) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()))
                .getContainerPort();
    }

    private static boolean matches(Map<String, String> selector, PodTemplateSpec template) {
        assertFalse(selector == null || selector.isEmpty(), "an empty selector selects everything");
        return template.getMetadata().getLabels().entrySet().containsAll(selector.entrySet());
    }

    private static boolean isAnyLocal(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        for (JsonNode n : list) {
            names.add(n.isString() ? n.asString() : n.path("name").asString());
        }
        return names;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    /** @return the repository directory that an absolute path in the image comes from (a COPY of the Dockerfile) */
    private static Path imagePathToRepo(Path inImage) throws IOException {
        Dockerfile df = Dockerfile.read(ROOT.resolve("Dockerfile"));
        String p = inImage.toString();
        for (Map.Entry<String, String> copy : df.copies().entrySet()) {
            String dest = copy.getValue();
            if (!copy.getKey().startsWith("/") && (p + "/").startsWith(dest)) {
                return ROOT.resolve(copy.getKey()).resolve(p.substring(Math.min(p.length(), dest.length())));
            }
        }
        throw new AssertionError(inImage + " is copied into the image by no COPY of the build context");
    }

    private static int send(HttpClient http, HttpRequest r) {
        try {
            return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Optional<Path> onPath(String exe) {
        return Stream.of(Objects.requireNonNullElse(System.getenv("PATH"), "").split(java.io.File.pathSeparator))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, exe)).filter(Files::isExecutable).findFirst();
    }

    // ---- loadgen-cli/pom.xml

    private static Element pom() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        return f.newDocumentBuilder().parse(ROOT.resolve("loadgen-cli").resolve("pom.xml").toFile())
                .getDocumentElement();
    }

    private static Element plugin(String artifactId) throws Exception {
        Element plugins = child(child(pom(), "build"), "plugins");
        for (Element p : children(plugins, "plugin")) {
            if (artifactId.equals(text(p, "artifactId"))) {
                return p;
            }
        }
        throw new AssertionError("no " + artifactId + " in loadgen-cli/pom.xml's build plugins");
    }

    private static Element jibPlugin() throws Exception {
        Element p = plugin("jib-maven-plugin");
        assertEquals("com.google.cloud.tools", text(p, "groupId"));
        return child(p, "configuration");
    }

    private static String mainClass() throws Exception {
        return text(child(plugin("maven-jar-plugin"), "configuration"), "archive", "manifest", "mainClass");
    }

    private static Element child(Element e, String name) {
        List<Element> c = children(e, name);
        assertEquals(1, c.size(), "<" + name + "> in <" + e.getTagName() + ">");
        return c.get(0);
    }

    private static List<Element> children(Element e, String name) {
        List<Element> l = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && (name == null || c.getTagName().equals(name))) {
                l.add(c);
            }
        }
        return l;
    }

    private static String text(Element e, String... path) {
        Element c = e;
        for (String p : path) {
            c = child(c, p);
        }
        return c.getTextContent().strip();
    }

    private static List<String> list(Element e, String... path) {
        Element c = e;
        for (String p : path) {
            c = child(c, p);
        }
        return children(c, null).stream().map(x -> x.getTextContent().strip()).toList();
    }

    /** The instructions of the Dockerfile that the checks read; its last stage is the image. */
    record Dockerfile(List<String[]> instructions) {
        static Dockerfile read(Path file) throws IOException {
            List<String[]> ins = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (String line : Files.readAllLines(file)) {
                String l = line.strip();
                if (cur.length() == 0 && (l.isEmpty() || l.startsWith("#"))) {
                    continue;
                }
                if (l.endsWith("\\")) {
                    cur.append(l, 0, l.length() - 1).append(' ');
                    continue;
                }
                cur.append(l);
                String s = cur.toString().strip();
                cur.setLength(0);
                int sp = s.indexOf(' ');
                ins.add(new String[] {s.substring(0, sp).toUpperCase(), s.substring(sp + 1).strip()});
            }
            return new Dockerfile(ins);
        }

        private List<String[]> lastStage() {
            int from = -1;
            for (int i = 0; i < instructions.size(); i++) {
                if (instructions.get(i)[0].equals("FROM")) {
                    from = i;
                }
            }
            return instructions.subList(from, instructions.size());
        }

        private List<String> all(String op, List<String[]> in) {
            return in.stream().filter(i -> i[0].equals(op)).map(i -> i[1]).toList();
        }

        private String last(String op) {
            List<String> l = all(op, lastStage());
            assertFalse(l.isEmpty(), "no " + op + " in the image's stage");
            return l.get(l.size() - 1);
        }

        private static List<String> json(String s) {
            try {
                return Arrays.asList(new ObjectMapper().readValue(s, String[].class));
            } catch (JacksonException e) {
                throw new AssertionError("not the exec (JSON) form: " + s, e);
            }
        }

        String workdir() {
            return last("WORKDIR");
        }

        List<String> entrypoint() {
            return json(last("ENTRYPOINT"));
        }

        List<String> cmd() {
            return json(last("CMD"));
        }

        String user() {
            return last("USER");
        }

        List<String> exposed() {
            return Arrays.asList(last("EXPOSE").split("\\s+"));
        }

        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            for (String e : all("ENV", lastStage())) {
                for (String kv : e.split("\\s+")) {
                    env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
            }
            return env;
        }

        List<String> runs() {
            return all("RUN", instructions);
        }

        List<String> buildArgs() {
            return all("ARG", instructions).stream().map(a -> a.split("=")[0]).toList();
        }

        /** @return the image's base: the last FROM, with a global ARG's default in place of its reference */
        String runtimeBase() {
            String from = lastStage().get(0)[1].split("\\s+")[0];
            Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(from);
            if (m.matches()) {
                for (String a : all("ARG", instructions)) {
                    if (a.startsWith(m.group(1) + "=")) {
                        return a.substring(a.indexOf('=') + 1);
                    }
                }
                fail("FROM " + from + " without an ARG default");
            }
            return from;
        }

        /** @return source -> destination of the image stage's COPY instructions (sources of another stage as
         *     their path there) */
        Map<String, String> copies() {
            Map<String, String> copies = new LinkedHashMap<>();
            for (String c : all("COPY", lastStage())) {
                List<String> words = Arrays.stream(c.split("\\s+")).filter(w -> !w.startsWith("--")).toList();
                copies.put(words.get(0), words.get(words.size() - 1));
            }
            return copies;
        }

        String copyDestination(String source) {
            String dest = copies().get(source);
            assertNotNull(dest, "the image's stage does not COPY " + source + ": " + copies());
            return dest;
        }
    }
}
