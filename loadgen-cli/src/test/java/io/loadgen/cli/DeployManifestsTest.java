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
import io.loadgen.config.Setting;
import io.loadgen.config.Settings;
import io.loadgen.core.config.CoreSettings;
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
import tools.jackson.databind.type.LogicalType;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The container image and the Kubernetes manifests (Dockerfile, the jib configuration, deploy/k8s): every manifest
 * binds strictly into the Kubernetes model, and what the manifests say about loadgen is checked against loadgen
 * itself: the server's port, probe routes and drain timeout, the agents' names and RMI port as the coordinator
 * lists them, the shared token, and every container's arguments as a loadgen command line. Building the image and
 * running it on a cluster are not tested here (docs/deploy.md says what is and is not).
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
        assertEquals(rmiPort, only(c.getPorts()).getContainerPort());
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
    void onlyTheCoordinatorMayReachTheAgentsRmiPort() {
        NetworkPolicy np = one(BASE, NetworkPolicy.class, "loadgen-agents");
        PodTemplateSpec agents = one(BASE, Job.class, "loadgen-agent").getSpec().getTemplate();
        PodTemplateSpec coordinator = one(BASE, Job.class, "loadgen-coordinator").getSpec().getTemplate();
        assertTrue(matches(np.getSpec().getPodSelector().getMatchLabels(), agents));
        NetworkPolicyIngressRule rule = only(np.getSpec().getIngress());
        assertTrue(matches(only(rule.getFrom()).getPodSelector().getMatchLabels(), coordinator));
        assertFalse(matches(only(rule.getFrom()).getPodSelector().getMatchLabels(), agents));
        int rmiPort = Loadgen.of(only(agents.getSpec().getContainers()), secrets()).settings()
                .get(RmiSettings.RMI_PORT);
        assertEquals(rmiPort, only(rule.getPorts()).getPort().getIntVal());
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
