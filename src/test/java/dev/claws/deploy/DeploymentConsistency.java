package dev.claws.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cross-checks a rendered overlay against itself, the application's configuration and the container image recipe:
 * the ports the server listens on (as configured) against container ports, probes and Services; every configuration
 * key the cluster sets against the keys the application knows; the checkpoints volume against claws.data-dir; the
 * JDBC URL against the PostgreSQL Service and StatefulSet; references to Secrets, ConfigMaps and claims; selectors;
 * resources; the engine device per overlay. Returns every problem found (empty when consistent).
 */
final class DeploymentConsistency {

    static final String NAMESPACE = "claws";
    static final String SERVER = "claws";
    static final String GPU = "nvidia.com/gpu";
    static final String PROFILE = "prod";
    static final String PLACEHOLDER = "CHANGE-ME";

    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern PORT_NAME = Pattern.compile("(?=.*[a-z])[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");
    private static final Pattern POSTGRES_URL = Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]+)(\\?.*)?");

    private final RenderedOverlay overlay;
    private final ApplicationConfig app;
    private final DockerfileFacts image;
    private final String expectedDevice;
    private final List<String> problems = new ArrayList<>();

    private DeploymentConsistency(RenderedOverlay overlay, ApplicationConfig app, DockerfileFacts image, String expectedDevice) {
        this.overlay = overlay;
        this.app = app;
        this.image = image;
        this.expectedDevice = expectedDevice;
    }

    static List<String> check(RenderedOverlay overlay, ApplicationConfig app, DockerfileFacts image, String expectedDevice) {
        DeploymentConsistency c = new DeploymentConsistency(overlay, app, image, expectedDevice);
        c.run();
        return List.copyOf(c.problems);
    }

    private void problem(String message) {
        problems.add(message);
    }

    private void run() {
        namesAndNamespaces();
        for (Deployment d : overlay.all(Deployment.class)) {
            podTemplate("Deployment " + name(d), d.getSpec().getSelector(), d.getSpec().getTemplate(), List.of());
        }
        for (StatefulSet s : overlay.all(StatefulSet.class)) {
            List<String> claims = s.getSpec().getVolumeClaimTemplates().stream().map(this::name).toList();
            podTemplate("StatefulSet " + name(s), s.getSpec().getSelector(), s.getSpec().getTemplate(), claims);
        }
        secretsArePlaceholders();

        Optional<Deployment> server = overlay.find(Deployment.class, SERVER);
        if (server.isEmpty()) {
            problem("no Deployment named " + SERVER);
            return;
        }
        Deployment d = server.get();
        Optional<Container> container = d.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> SERVER.equals(c.getName())).findFirst();
        if (container.isEmpty()) {
            problem("Deployment " + SERVER + " has no container named " + SERVER);
            return;
        }
        Container c = container.get();
        Map<String, String> config = effectiveConfig(d, c);
        Integer grpc = portSetting(config, "quarkus.grpc.server.port");
        Integer http = portSetting(config, "quarkus.http.port");
        if (grpc != null && http != null) {
            containerPorts(c, grpc, http);
            probes(c, grpc);
            services(d, c, grpc, http);
            metricsAnnotations(d, http);
        }
        storage(d, c, config);
        servingMemory(c, config);
        imageRecipe(d, c, config, grpc, http);
        database(c, config);
        device(d, c, config);
        disruptionBudget(d);
    }

    // ---- configuration --------------------------------------------------------------------------------------------

    /**
     * The configuration the server sees in the pod: application.properties (profile prod), then the ConfigMap file
     * mounted as config/application.properties under the working directory, then the container's environment.
     * Values that come from a Secret read "secret:NAME/KEY".
     */
    private Map<String, String> effectiveConfig(Deployment d, Container c) {
        Map<String, String> config = new TreeMap<>(app.resolved(PROFILE));
        String workdir = c.getWorkingDir() != null ? c.getWorkingDir() : image.workdir();
        String configDir = stripSlash(workdir) + "/config";
        String configFile = configDir + "/application.properties";
        Optional<String> text = mountedConfigFile(d, c, configDir, configFile);
        if (text.isEmpty()) {
            problem("container " + SERVER + ": no ConfigMap provides " + configFile
                    + " (the working directory's config/application.properties that Quarkus reads)");
        } else {
            ApplicationConfig file = ApplicationConfig.parse(text.get());
            for (String key : file.declaredKeys()) {
                knownRuntimeKey(key, "ConfigMap file " + configFile);
            }
            config.putAll(file.resolved(PROFILE));
        }
        if (c.getEnvFrom() != null && !c.getEnvFrom().isEmpty()) {
            problem("container " + SERVER + ": envFrom is not allowed, list each variable so that it can be checked");
        }
        for (EnvVar env : nonNull(c.getEnv())) {
            String variable = env.getName();
            if (!variable.startsWith("CLAWS_") && !variable.startsWith("QUARKUS_")) {
                continue;
            }
            Optional<String> key = app.keyForEnv(variable);
            if (key.isEmpty()) {
                problem("container " + SERVER + ": environment variable " + variable + " sets no configuration key the"
                        + " application knows (declared in application.properties: " + app.declaredKeys() + ")");
                continue;
            }
            knownRuntimeKey(key.get(), "environment variable " + variable);
            config.put(key.get(), envValue(env));
        }
        return config;
    }

    private void knownRuntimeKey(String key, String where) {
        if (ApplicationConfig.isBuildTime(key)) {
            problem(where + " sets " + key + ", which Quarkus fixes at build time: it has no effect in the cluster");
        } else if (!app.knows(key)) {
            problem(where + " sets " + key + ", a key the application does not know (not in application.properties"
                    + (key.startsWith("quarkus.") ? " nor in the allowed Quarkus run-time keys" : "") + ")");
        }
    }

    private Optional<String> mountedConfigFile(Deployment d, Container c, String configDir, String configFile) {
        for (VolumeMount m : nonNull(c.getVolumeMounts())) {
            String fileName;
            if (configDir.equals(stripSlash(m.getMountPath())) && m.getSubPath() == null) {
                fileName = "application.properties";
            } else if (configFile.equals(m.getMountPath()) && m.getSubPath() != null) {
                fileName = m.getSubPath();
            } else {
                continue;
            }
            Volume v = volume(d.getSpec().getTemplate(), m.getName());
            if (v == null || v.getConfigMap() == null) {
                continue;
            }
            String key = fileName;
            if (v.getConfigMap().getItems() != null && !v.getConfigMap().getItems().isEmpty()) {
                String wanted = fileName;
                key = v.getConfigMap().getItems().stream().filter(i -> wanted.equals(i.getPath()))
                        .map(i -> i.getKey()).findFirst().orElse(null);
            }
            Optional<ConfigMap> cm = overlay.find(ConfigMap.class, v.getConfigMap().getName());
            if (key != null && cm.isPresent() && cm.get().getData() != null && cm.get().getData().containsKey(key)) {
                return Optional.of(cm.get().getData().get(key));
            }
        }
        return Optional.empty();
    }

    private static String envValue(EnvVar env) {
        if (env.getValueFrom() == null) {
            return env.getValue() == null ? "" : env.getValue();
        }
        if (env.getValueFrom().getSecretKeyRef() != null) {
            return "secret:" + env.getValueFrom().getSecretKeyRef().getName() + "/" + env.getValueFrom().getSecretKeyRef().getKey();
        }
        if (env.getValueFrom().getConfigMapKeyRef() != null) {
            return "configmap:" + env.getValueFrom().getConfigMapKeyRef().getName() + "/" + env.getValueFrom().getConfigMapKeyRef().getKey();
        }
        return "field";
    }

    private Integer portSetting(Map<String, String> config, String key) {
        String value = config.get(key);
        try {
            int port = Integer.parseInt(Objects.requireNonNull(value));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException | NullPointerException e) {
            problem(key + " is '" + value + "', not a port number");
            return null;
        }
    }

    // ---- ports, probes, services ----------------------------------------------------------------------------------

    private void containerPorts(Container c, int grpc, int http) {
        Map<String, Integer> ports = namedPorts(c);
        expectPort(ports, "grpc", grpc, "quarkus.grpc.server.port");
        expectPort(ports, "http", http, "quarkus.http.port");
    }

    private void expectPort(Map<String, Integer> ports, String name, int configured, String key) {
        Integer port = ports.get(name);
        if (port == null) {
            problem("container " + SERVER + " has no port named '" + name + "'");
        } else if (port != configured) {
            problem("container " + SERVER + ": port '" + name + "' is " + port + " but the server listens on "
                    + configured + " (" + key + ")");
        }
    }

    /** Health service names that are SERVING whenever the server runs (dev.claws.api.HealthService). */
    static final java.util.Set<String> SERVER_UP_SERVICES = java.util.Set.of("claws.v1.Variants", "claws.v1.Jobs",
            "claws.v1.Laws");

    private void probes(Container c, int grpc) {
        Map<String, Probe> probes = new LinkedHashMap<>();
        probes.put("startupProbe", c.getStartupProbe());
        probes.put("readinessProbe", c.getReadinessProbe());
        probes.put("livenessProbe", c.getLivenessProbe());
        probes.forEach((kind, probe) -> {
            if (probe == null) {
                problem("container " + SERVER + " has no " + kind);
            } else if (probe.getGrpc() == null) {
                problem("container " + SERVER + ": " + kind + " is not a gRPC probe (grpc.health.v1 on the gRPC port)");
            } else {
                Integer port = probe.getGrpc().getPort();
                Integer declared = namedPorts(c).get("grpc");
                if (port == null || port != grpc) {
                    problem("container " + SERVER + ": " + kind + ".grpc.port is " + port + " but the gRPC server listens on "
                            + grpc + " (quarkus.grpc.server.port)");
                } else if (declared != null && !declared.equals(port)) {
                    problem("container " + SERVER + ": " + kind + ".grpc.port is " + port + " but container port 'grpc' is " + declared);
                }
                String service = probe.getGrpc().getService() == null ? "" : probe.getGrpc().getService();
                if (kind.equals("readinessProbe") && !service.isEmpty()) {
                    problem("container " + SERVER + ": readinessProbe.grpc.service is '" + service + "'; readiness (the "
                            + "default model loaded) is reported under the empty service name");
                } else if (!kind.equals("readinessProbe") && !SERVER_UP_SERVICES.contains(service)) {
                    problem("container " + SERVER + ": " + kind + ".grpc.service is '" + service + "', not one of "
                            + SERVER_UP_SERVICES + " (SERVING whenever the server runs): a default model that cannot "
                            + "load would restart the pod in a loop");
                }
            }
        });
    }

    private void services(Deployment d, Container c, int grpc, int http) {
        Map<String, String> podLabels = labels(d.getSpec().getTemplate());
        Optional<Service> main = overlay.find(Service.class, SERVER);
        if (main.isEmpty()) {
            problem("no Service named " + SERVER);
        }
        for (Service s : overlay.all(Service.class)) {
            Map<String, String> selector = s.getSpec().getSelector();
            if (selector == null || !podLabels.entrySet().containsAll(selector.entrySet())) {
                if (s.getMetadata().getName().equals(SERVER)) {
                    problem("Service " + SERVER + ": selector " + selector + " does not select the pods of Deployment "
                            + SERVER + " " + podLabels);
                }
                continue;
            }
            boolean grpcExposed = false;
            for (ServicePort p : s.getSpec().getPorts()) {
                Integer target = resolveTarget(p, c, "Service " + name(s));
                if ("grpc".equals(p.getName())) {
                    grpcExposed = true;
                    if (target != null && target != grpc) {
                        problem("Service " + name(s) + ": port 'grpc' reaches container port " + target
                                + " but the gRPC server listens on " + grpc);
                    }
                }
                if ("http".equals(p.getName()) && target != null && target != http) {
                    problem("Service " + name(s) + ": port 'http' reaches container port " + target
                            + " but the HTTP server (metrics) listens on " + http);
                }
            }
            if (!grpcExposed) {
                problem("Service " + name(s) + " selects the claws pods but exposes no port named 'grpc'");
            }
        }
        main.ifPresent(s -> {
            if (s.getSpec().getPorts().stream().noneMatch(p -> "http".equals(p.getName()))) {
                problem("Service " + SERVER + " exposes no port named 'http' (metrics at /q/metrics)");
            }
        });
    }

    /** The container port a Service port reaches, or null (with a problem) when it reaches none. */
    private Integer resolveTarget(ServicePort p, Container c, String where) {
        IntOrString target = p.getTargetPort();
        Map<String, Integer> ports = namedPorts(c);
        if (target == null) {
            target = new IntOrString(p.getPort());
        }
        if (target.getStrVal() != null) {
            Integer port = ports.get(target.getStrVal());
            if (port == null) {
                problem(where + ": targetPort '" + target.getStrVal() + "' names no port of container " + c.getName());
            }
            return port;
        }
        if (!ports.containsValue(target.getIntVal())) {
            problem(where + ": targetPort " + target.getIntVal() + " is not a port of container " + c.getName());
            return null;
        }
        return target.getIntVal();
    }

    private void metricsAnnotations(Deployment d, int http) {
        Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
        if (annotations == null || !"true".equals(annotations.get("prometheus.io/scrape"))) {
            return;
        }
        if (!String.valueOf(http).equals(annotations.get("prometheus.io/port"))) {
            problem("Deployment " + SERVER + ": prometheus.io/port is " + annotations.get("prometheus.io/port")
                    + " but metrics are served on " + http + " (quarkus.http.port)");
        }
        if (!"/q/metrics".equals(annotations.get("prometheus.io/path"))) {
            problem("Deployment " + SERVER + ": prometheus.io/path must be /q/metrics");
        }
    }

    // ---- storage, image, database, device ------------------------------------------------------------------------

    private void storage(Deployment d, Container c, Map<String, String> config) {
        String dataDir = config.get("claws.data-dir");
        if (dataDir == null || !dataDir.startsWith("/")) {
            problem("claws.data-dir is '" + dataDir + "': the cluster must set an absolute path on the checkpoints volume");
            return;
        }
        Optional<VolumeMount> mount = nonNull(c.getVolumeMounts()).stream()
                .filter(m -> stripSlash(m.getMountPath()).equals(stripSlash(dataDir))).findFirst();
        Volume v = mount.map(m -> volume(d.getSpec().getTemplate(), m.getName())).orElse(null);
        if (v == null || v.getPersistentVolumeClaim() == null) {
            problem("claws.data-dir " + dataDir + " is not a PersistentVolumeClaim mount of container " + SERVER
                    + ": variants and checkpoints would be lost with the pod");
            return;
        }
        if (Boolean.TRUE.equals(mount.get().getReadOnly())) {
            problem("claws.data-dir " + dataDir + " is mounted read-only; jobs write variants there");
        }
        Optional<PersistentVolumeClaim> pvc = overlay.find(PersistentVolumeClaim.class, v.getPersistentVolumeClaim().getClaimName());
        if (pvc.isEmpty()) {
            return; // reported by podTemplate
        }
        boolean shared = nonNull(pvc.get().getSpec().getAccessModes()).contains("ReadWriteMany");
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        if (replicas > 1 && !shared) {
            problem("Deployment " + SERVER + " has " + replicas + " replicas but PersistentVolumeClaim "
                    + name(pvc.get()) + " is not ReadWriteMany: only one pod could mount it");
        }
        String strategy = d.getSpec().getStrategy() == null ? "RollingUpdate" : d.getSpec().getStrategy().getType();
        if (!shared && !"Recreate".equals(strategy)) {
            problem("Deployment " + SERVER + " uses " + strategy + " with a ReadWriteOnce volume: a new pod on another"
                    + " node waits forever for the old one's volume; use Recreate");
        }
        boolean readOnlyRoot = c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem());
        if (readOnlyRoot) {
            for (EnvVar env : nonNull(c.getEnv())) {
                if (env.getName().equals("DJL_CACHE_DIR") && !writable(d, c, env.getValue())) {
                    problem("DJL_CACHE_DIR " + env.getValue() + " is on the read-only root filesystem; the PyTorch"
                            + " natives are unpacked there");
                }
            }
            if (!writable(d, c, "/tmp")) {
                problem("the root filesystem is read-only and /tmp is not a writable volume");
            }
        }
    }

    /**
     * The resident variants must fit in the container with room to spare (JVM heap, KV caches, a job's own model
     * copy), and evaluation data must be read from a mounted absolute path.
     */
    private void servingMemory(Container c, Map<String, String> config) {
        String budget = config.get("claws.serve.memory-budget-bytes");
        Quantity limit = c.getResources() == null || c.getResources().getLimits() == null ? null
                : c.getResources().getLimits().get("memory");
        if (budget != null && limit != null) {
            java.math.BigDecimal bytes = new java.math.BigDecimal(budget.trim());
            java.math.BigDecimal half = limit.getNumericalAmount().divide(java.math.BigDecimal.valueOf(2));
            if (bytes.compareTo(limit.getNumericalAmount()) >= 0) {
                problem("claws.serve.memory-budget-bytes " + budget + " is not below the container memory limit "
                        + limit + ": loading variants up to the budget gets the pod OOM-killed");
            } else if (bytes.compareTo(half) > 0) {
                problem("claws.serve.memory-budget-bytes " + budget + " is more than half the container memory limit "
                        + limit + ": the JVM, the KV caches and a running job's model need the rest");
            }
        }
        String evalDir = config.get("claws.eval.data-dir");
        if (evalDir != null && !evalDir.startsWith("/")) {
            problem("claws.eval.data-dir is '" + evalDir + "': the cluster must set an absolute path on a volume");
        }
    }

    private boolean writable(Deployment d, Container c, String path) {
        return nonNull(c.getVolumeMounts()).stream()
                .filter(m -> !Boolean.TRUE.equals(m.getReadOnly()))
                .anyMatch(m -> (path + "/").startsWith(stripSlash(m.getMountPath()) + "/"));
    }

    private void imageRecipe(Deployment d, Container c, Map<String, String> config, Integer grpc, Integer http) {
        Long runAsUser = c.getSecurityContext() != null ? c.getSecurityContext().getRunAsUser() : null;
        PodSecurityContext pod = d.getSpec().getTemplate().getSpec().getSecurityContext();
        if (runAsUser == null && pod != null) {
            runAsUser = pod.getRunAsUser();
        }
        if (image.user() != null && image.user().matches("\\d+") && runAsUser != null
                && !image.user().equals(String.valueOf(runAsUser))) {
            problem("Deployment " + SERVER + " runs as user " + runAsUser + " but the image is built for user " + image.user());
        }
        for (Integer port : new Integer[]{grpc, http}) {
            if (port != null && !image.exposed().contains(port)) {
                problem("Dockerfile.jvm does not EXPOSE " + port);
            }
        }
        String models = image.copies().get("models/");
        String model = config.get("claws.model.default");
        if (models == null) {
            problem("Dockerfile.jvm does not COPY models/ into the image");
        } else if (model == null || !model.startsWith(stripSlash(models) + "/")) {
            problem("claws.model.default is '" + model + "' but the image holds the bundled models under " + models);
        }
    }

    private void database(Container server, Map<String, String> config) {
        String url = config.get("quarkus.datasource.jdbc.url");
        Matcher m = url == null ? null : POSTGRES_URL.matcher(url);
        if (m == null || !m.matches()) {
            problem("quarkus.datasource.jdbc.url is '" + url + "'; the cluster runs PostgreSQL (jdbc:postgresql://HOST:PORT/DB)");
            return;
        }
        databaseKind();
        String[] host = m.group(1).split("\\.");
        int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
        String database = m.group(3);
        if (host.length > 1 && !host[1].equals(NAMESPACE)) {
            problem("quarkus.datasource.jdbc.url points at namespace " + host[1] + ", not " + NAMESPACE);
        }
        Optional<Service> service = overlay.find(Service.class, host[0]);
        if (service.isEmpty()) {
            problem("quarkus.datasource.jdbc.url host " + host[0] + " is no Service");
            return;
        }
        Service s = service.get();
        Optional<ServicePort> servicePort = s.getSpec().getPorts().stream().filter(p -> p.getPort() == port).findFirst();
        Optional<StatefulSet> db = overlay.all(StatefulSet.class).stream()
                .filter(st -> s.getSpec().getSelector() != null
                        && labels(st.getSpec().getTemplate()).entrySet().containsAll(s.getSpec().getSelector().entrySet()))
                .findFirst();
        if (servicePort.isEmpty()) {
            problem("Service " + host[0] + " has no port " + port + " (quarkus.datasource.jdbc.url)");
        }
        if (db.isEmpty()) {
            problem("Service " + host[0] + " selects no StatefulSet");
            return;
        }
        StatefulSet st = db.get();
        if (!host[0].equals(st.getSpec().getServiceName())) {
            problem("StatefulSet " + name(st) + ": serviceName is " + st.getSpec().getServiceName() + ", not " + host[0]);
        }
        if (!"None".equals(s.getSpec().getClusterIP())) {
            problem("Service " + host[0] + " governs StatefulSet " + name(st) + " and must be headless (clusterIP: None)");
        }
        Container postgres = st.getSpec().getTemplate().getSpec().getContainers().get(0);
        servicePort.ifPresent(p -> resolveTarget(p, postgres, "Service " + host[0]));
        Map<String, String> env = new TreeMap<>();
        nonNull(postgres.getEnv()).forEach(e -> env.put(e.getName(), envValue(e)));
        if (!database.equals(env.get("POSTGRES_DB"))) {
            problem("JDBC URL database " + database + " differs from POSTGRES_DB " + env.get("POSTGRES_DB"));
        }
        if (!Objects.equals(config.get("quarkus.datasource.username"), env.get("POSTGRES_USER"))) {
            problem("quarkus.datasource.username " + config.get("quarkus.datasource.username")
                    + " differs from POSTGRES_USER " + env.get("POSTGRES_USER"));
        }
        String password = config.get("quarkus.datasource.password");
        if (password == null || !password.startsWith("secret:") || !password.equals(env.get("POSTGRES_PASSWORD"))) {
            problem("quarkus.datasource.password (" + password + ") must come from the same Secret key as POSTGRES_PASSWORD ("
                    + env.get("POSTGRES_PASSWORD") + ")");
        }
        String pgdata = env.getOrDefault("PGDATA", "/var/lib/postgresql/data");
        List<String> claims = st.getSpec().getVolumeClaimTemplates().stream().map(this::name).toList();
        boolean persistent = nonNull(postgres.getVolumeMounts()).stream()
                .anyMatch(vm -> claims.contains(vm.getName()) && (pgdata + "/").startsWith(stripSlash(vm.getMountPath()) + "/"));
        if (!persistent) {
            problem("PGDATA " + pgdata + " is not on a volumeClaimTemplate of StatefulSet " + name(st));
        }
    }

    /**
     * quarkus.datasource.db-kind is fixed at build time: the image must be built for PostgreSQL, either because the
     * application's own configuration says so or because Dockerfile.jvm re-augments the mutable jar for it.
     */
    private void databaseKind() {
        Map<String, String> built = app.resolved(PROFILE);
        if ("postgresql".equals(built.get("quarkus.datasource.db-kind"))) {
            return;
        }
        boolean rebuilt = image.runs().stream().anyMatch(r -> r.contains("-Dquarkus.launch.rebuild=true")
                && r.contains("-Dquarkus.datasource.db-kind=postgresql"));
        if (!rebuilt) {
            problem("the cluster connects to PostgreSQL but the image keeps quarkus.datasource.db-kind="
                    + built.get("quarkus.datasource.db-kind") + ", a build-time property: Dockerfile.jvm must re-augment"
                    + " the application with -Dquarkus.launch.rebuild=true -Dquarkus.datasource.db-kind=postgresql");
        } else if (!"mutable-jar".equals(built.get("quarkus.package.jar.type"))) {
            problem("Dockerfile.jvm re-augments the application for PostgreSQL, which needs"
                    + " quarkus.package.jar.type=mutable-jar in application.properties");
        }
    }

    private void device(Deployment d, Container c, Map<String, String> config) {
        String device = config.get("claws.engine.device");
        if (!expectedDevice.equals(device)) {
            problem("overlay " + overlay.name() + ": claws.engine.device is '" + device + "', expected '" + expectedDevice + "'");
        }
        Quantity gpuLimit = c.getResources() == null || c.getResources().getLimits() == null ? null
                : c.getResources().getLimits().get(GPU);
        List<Toleration> tolerations = nonNull(d.getSpec().getTemplate().getSpec().getTolerations());
        boolean tolerates = tolerations.stream().anyMatch(t -> GPU.equals(t.getKey()));
        if ("gpu".equals(expectedDevice)) {
            if (gpuLimit == null || gpuLimit.getNumericalAmount().signum() <= 0) {
                problem("overlay " + overlay.name() + ": container " + SERVER + " has no " + GPU + " limit");
            }
            if (!tolerates) {
                problem("overlay " + overlay.name() + ": no toleration for the " + GPU + " taint of GPU nodes");
            }
            Map<String, String> nodeSelector = d.getSpec().getTemplate().getSpec().getNodeSelector();
            if ((nodeSelector == null || nodeSelector.isEmpty()) && d.getSpec().getTemplate().getSpec().getAffinity() == null) {
                problem("overlay " + overlay.name() + ": no nodeSelector or affinity for GPU nodes");
            }
        } else if (gpuLimit != null || tolerates) {
            problem("overlay " + overlay.name() + " is not a GPU overlay but asks for " + GPU);
        }
    }

    private void disruptionBudget(Deployment d) {
        Map<String, String> podLabels = labels(d.getSpec().getTemplate());
        List<PodDisruptionBudget> budgets = overlay.all(PodDisruptionBudget.class).stream()
                .filter(p -> selects(p.getSpec().getSelector(), podLabels)).toList();
        if (budgets.isEmpty()) {
            problem("no PodDisruptionBudget selects the pods of Deployment " + SERVER);
        }
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        for (PodDisruptionBudget p : budgets) {
            IntOrString min = p.getSpec().getMinAvailable();
            IntOrString max = p.getSpec().getMaxUnavailable();
            if ((min != null && min.getIntVal() != null && min.getIntVal() >= replicas)
                    || (max != null && max.getIntVal() != null && max.getIntVal() == 0)) {
                problem("PodDisruptionBudget " + name(p) + " never allows an eviction with " + replicas
                        + " replica(s): node drains would hang");
            }
        }
    }

    // ---- generic checks ------------------------------------------------------------------------------------------

    private void namesAndNamespaces() {
        if (overlay.find(Namespace.class, NAMESPACE).isEmpty()) {
            problem("no Namespace " + NAMESPACE);
        }
        for (HasMetadata o : overlay.objects()) {
            String n = o.getMetadata().getName();
            if (n == null || n.length() > 253 || !DNS_SUBDOMAIN.matcher(n).matches()) {
                problem(o.getKind() + " name '" + n + "' is not a DNS-1123 subdomain");
            }
            if (!(o instanceof Namespace) && !NAMESPACE.equals(o.getMetadata().getNamespace())) {
                problem(o.getKind() + " " + n + " is in namespace " + o.getMetadata().getNamespace() + ", not " + NAMESPACE);
            }
        }
    }

    private void podTemplate(String owner, LabelSelector selector, PodTemplateSpec template, List<String> claimTemplates) {
        Map<String, String> podLabels = labels(template);
        if (selector == null || selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty()) {
            problem(owner + ": selector.matchLabels is empty");
        } else if (!selects(selector, podLabels)) {
            problem(owner + ": selector " + selector.getMatchLabels() + " does not match the pod labels " + podLabels);
        }
        List<Container> containers = new ArrayList<>(nonNull(template.getSpec().getContainers()));
        containers.addAll(nonNull(template.getSpec().getInitContainers()));
        if (template.getSpec().getContainers() == null || template.getSpec().getContainers().isEmpty()) {
            problem(owner + " has no containers");
        }
        for (Volume v : nonNull(template.getSpec().getVolumes())) {
            if (v.getConfigMap() != null) {
                Optional<ConfigMap> cm = overlay.find(ConfigMap.class, v.getConfigMap().getName());
                if (cm.isEmpty()) {
                    problem(owner + ": volume " + v.getName() + " refers to missing ConfigMap " + v.getConfigMap().getName());
                } else {
                    nonNull(v.getConfigMap().getItems()).stream()
                            .filter(i -> cm.get().getData() == null || !cm.get().getData().containsKey(i.getKey()))
                            .forEach(i -> problem(owner + ": volume " + v.getName() + " wants key " + i.getKey()
                                    + " that ConfigMap " + name(cm.get()) + " lacks"));
                }
            }
            if (v.getSecret() != null && overlay.find(Secret.class, v.getSecret().getSecretName()).isEmpty()) {
                problem(owner + ": volume " + v.getName() + " refers to missing Secret " + v.getSecret().getSecretName());
            }
            if (v.getPersistentVolumeClaim() != null
                    && overlay.find(PersistentVolumeClaim.class, v.getPersistentVolumeClaim().getClaimName()).isEmpty()) {
                problem(owner + ": volume " + v.getName() + " refers to missing PersistentVolumeClaim "
                        + v.getPersistentVolumeClaim().getClaimName());
            }
        }
        for (Container c : containers) {
            String where = owner + " container " + c.getName();
            if (c.getName() == null || !DNS_LABEL.matcher(c.getName()).matches()) {
                problem(where + ": name is not a DNS-1123 label");
            }
            for (ContainerPort p : nonNull(c.getPorts())) {
                if (p.getContainerPort() == null || p.getContainerPort() < 1 || p.getContainerPort() > 65535) {
                    problem(where + ": containerPort " + p.getContainerPort() + " is out of range 1-65535");
                }
                if (p.getName() != null && !PORT_NAME.matcher(p.getName()).matches()) {
                    problem(where + ": port name '" + p.getName() + "' is not an IANA service name (<= 15 characters)");
                }
            }
            for (VolumeMount m : nonNull(c.getVolumeMounts())) {
                if (volume(template, m.getName()) == null && !claimTemplates.contains(m.getName())) {
                    problem(where + ": volumeMount " + m.getName() + " refers to no volume");
                }
            }
            for (EnvVar e : nonNull(c.getEnv())) {
                if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                    var ref = e.getValueFrom().getSecretKeyRef();
                    Optional<Secret> s = overlay.find(Secret.class, ref.getName());
                    if (s.isEmpty() || !secretKeys(s.get()).contains(ref.getKey())) {
                        problem(where + ": env " + e.getName() + " refers to missing Secret key " + ref.getName() + "/" + ref.getKey());
                    }
                }
                if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                    var ref = e.getValueFrom().getConfigMapKeyRef();
                    Optional<ConfigMap> cm = overlay.find(ConfigMap.class, ref.getName());
                    if (cm.isEmpty() || cm.get().getData() == null || !cm.get().getData().containsKey(ref.getKey())) {
                        problem(where + ": env " + e.getName() + " refers to missing ConfigMap key " + ref.getName() + "/" + ref.getKey());
                    }
                }
            }
            for (Probe probe : new Probe[]{c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe()}) {
                IntOrString port = probe == null ? null
                        : probe.getTcpSocket() != null ? probe.getTcpSocket().getPort()
                        : probe.getHttpGet() != null ? probe.getHttpGet().getPort() : null;
                if (port != null && port.getStrVal() != null && !namedPorts(c).containsKey(port.getStrVal())) {
                    problem(where + ": probe port '" + port.getStrVal() + "' names no container port");
                }
            }
            resources(where, c.getResources());
        }
    }

    private void resources(String where, ResourceRequirements r) {
        Map<String, Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
        Map<String, Quantity> limits = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
        for (String resource : List.of("cpu", "memory")) {
            if (!requests.containsKey(resource)) {
                problem(where + ": no " + resource + " request");
            }
            if (!limits.containsKey(resource)) {
                problem(where + ": no " + resource + " limit");
            }
        }
        requests.forEach((resource, request) -> {
            Quantity limit = limits.get(resource);
            if (limit != null && request.getNumericalAmount().compareTo(limit.getNumericalAmount()) > 0) {
                problem(where + ": " + resource + " request " + request + " exceeds its limit " + limit);
            }
            if (resource.contains("/") && (limit == null || request.getNumericalAmount().compareTo(limit.getNumericalAmount()) != 0)) {
                problem(where + ": extended resource " + resource + " needs a limit equal to its request");
            }
        });
    }

    private void secretsArePlaceholders() {
        for (Secret s : overlay.all(Secret.class)) {
            Map<String, String> values = new TreeMap<>();
            if (s.getStringData() != null) {
                values.putAll(s.getStringData());
            }
            if (s.getData() != null) {
                s.getData().forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
            }
            values.forEach((k, v) -> {
                if (!v.startsWith(PLACEHOLDER)) {
                    problem("Secret " + name(s) + " key " + k + " holds a value that is not a " + PLACEHOLDER
                            + " placeholder: real credentials must not be committed");
                }
            });
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static Set<String> secretKeys(Secret s) {
        Set<String> keys = new java.util.TreeSet<>();
        if (s.getData() != null) {
            keys.addAll(s.getData().keySet());
        }
        if (s.getStringData() != null) {
            keys.addAll(s.getStringData().keySet());
        }
        return keys;
    }

    private static Map<String, Integer> namedPorts(Container c) {
        Map<String, Integer> ports = new TreeMap<>();
        for (ContainerPort p : nonNull(c.getPorts())) {
            if (p.getName() != null && p.getContainerPort() != null) {
                ports.put(p.getName(), p.getContainerPort());
            }
        }
        return ports;
    }

    private static Volume volume(PodTemplateSpec template, String name) {
        return nonNull(template.getSpec().getVolumes()).stream().filter(v -> name.equals(v.getName())).findFirst().orElse(null);
    }

    private static Map<String, String> labels(PodTemplateSpec template) {
        Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        return selector != null && selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty()
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty())
                && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }

    private String name(HasMetadata o) {
        return o.getMetadata().getName();
    }

    private static String stripSlash(String path) {
        return path != null && path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
