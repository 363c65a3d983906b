package dev.claws.deploy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Consumer;

import static dev.claws.deploy.OverlayFixtures.assertContains;
import static dev.claws.deploy.OverlayFixtures.editConfigFile;
import static dev.claws.deploy.OverlayFixtures.element;
import static dev.claws.deploy.OverlayFixtures.object;
import static dev.claws.deploy.OverlayFixtures.render;
import static dev.claws.deploy.OverlayFixtures.serverContainer;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each cross-check fails on the mistake it exists for: the real rendered overlay is broken in one place and the
 * problem list must name it (and an untouched rendering must give none).
 */
class DeploymentConsistencyTest {

    private static final ApplicationConfig APP = ApplicationConfig.load(ApplicationConfig.DEFAULT_LOCATION);
    private static final DockerfileFacts IMAGE = DockerfileFacts.load(DockerfileFacts.DEFAULT_LOCATION);

    private static String problemsAfter(String overlay, Consumer<List<ObjectNode>> breakIt) {
        return problemsAfter(overlay, APP, breakIt);
    }

    private static String problemsAfter(String overlay, ApplicationConfig app, Consumer<List<ObjectNode>> breakIt) {
        List<ObjectNode> objects = render(overlay);
        breakIt.accept(objects);
        List<String> problems = DeploymentConsistency.check(RenderedOverlay.of(overlay, objects), app, IMAGE,
                KustomizeOverlaysTest.DEVICE_BY_OVERLAY.get(overlay));
        System.out.println("provoked: " + problems);
        return String.join("\n", problems);
    }

    @Test
    void untouchedOverlaysHaveNoProblems() {
        assertEquals("", problemsAfter("cpu", objects -> { }));
        assertEquals("", problemsAfter("gpu", objects -> { }));
    }

    @Test
    void probeOnTheWrongPort() {
        String problems = problemsAfter("cpu", o -> ((ObjectNode) serverContainer(o).at("/readinessProbe/grpc")).put("port", 9001));
        assertContains(problems, "readinessProbe.grpc.port is 9001 but the gRPC server listens on 9000");
    }

    @Test
    void probeThatIsNotGrpc() {
        String problems = problemsAfter("cpu", o -> {
            ObjectNode probe = (ObjectNode) serverContainer(o).get("livenessProbe");
            probe.remove("grpc");
            probe.putObject("tcpSocket").put("port", 9000);
        });
        assertContains(problems, "livenessProbe is not a gRPC probe");
    }

    @Test
    void readinessThatDoesNotWaitForTheDefaultModel() {
        String problems = problemsAfter("cpu", o -> ((ObjectNode) serverContainer(o).at("/readinessProbe/grpc"))
                .put("service", "claws.v1.Variants"));
        assertContains(problems, "readinessProbe.grpc.service is 'claws.v1.Variants'; readiness (the default model "
                + "loaded) is reported under the empty service name");
    }

    @Test
    void livenessOrStartupThatFailsWhileTheDefaultModelIsMissing() {
        String liveness = problemsAfter("cpu", o -> ((ObjectNode) serverContainer(o).at("/livenessProbe/grpc"))
                .remove("service"));
        assertContains(liveness, "livenessProbe.grpc.service is '', not one of");
        String startup = problemsAfter("gpu", o -> ((ObjectNode) serverContainer(o).at("/startupProbe/grpc"))
                .put("service", "claws.v1.Inference"));
        assertContains(startup, "startupProbe.grpc.service is 'claws.v1.Inference', not one of");
    }

    @Test
    void missingStartupProbe() {
        assertContains(problemsAfter("gpu", o -> serverContainer(o).remove("startupProbe")), "has no startupProbe");
    }

    @Test
    void containerPortDisagreesWithTheConfiguredGrpcPort() {
        String problems = problemsAfter("cpu", o -> element(serverContainer(o).get("ports"), "name", "grpc").put("containerPort", 9001));
        assertContains(problems, "port 'grpc' is 9001 but the server listens on 9000 (quarkus.grpc.server.port)",
                "readinessProbe.grpc.port is 9000 but container port 'grpc' is 9001",
                "Service claws: port 'grpc' reaches container port 9001 but the gRPC server listens on 9000");
    }

    @Test
    void configuredGrpcPortDisagreesWithProbesAndContainer() {
        String problems = problemsAfter("cpu", o -> editConfigFile(o, "quarkus.grpc.server.port=9000", "quarkus.grpc.server.port=9100"));
        assertContains(problems, "port 'grpc' is 9000 but the server listens on 9100",
                "startupProbe.grpc.port is 9000 but the gRPC server listens on 9100",
                "readinessProbe.grpc.port is 9000", "livenessProbe.grpc.port is 9000", "Dockerfile.jvm does not EXPOSE 9100");
    }

    @Test
    void serviceTargetsAPortThatDoesNotExist() {
        String problems = problemsAfter("cpu", o -> element(object(o, "Service", "claws").at("/spec/ports"), "name", "grpc")
                .put("targetPort", "grcp"));
        assertContains(problems, "Service claws: targetPort 'grcp' names no port of container claws");
    }

    @Test
    void serviceThatSelectsNothing() {
        String problems = problemsAfter("cpu", o -> ((ObjectNode) object(o, "Service", "claws").at("/spec/selector"))
                .put("app.kubernetes.io/component", "srever"));
        assertContains(problems, "Service claws: selector");
    }

    @Test
    void misspelledKeyInTheConfigMapFile() {
        String problems = problemsAfter("cpu", o -> editConfigFile(o, "claws.data-dir=/data", "claws.data-dri=/data"));
        assertContains(problems, "sets claws.data-dri, a key the application does not know",
                "claws.data-dir is 'data': the cluster must set an absolute path");
    }

    @Test
    void misspelledEnvironmentVariable() {
        String problems = problemsAfter("gpu", o -> element(serverContainer(o).get("env"), "name", "CLAWS_ENGINE_DEVICE")
                .put("name", "CLAWS_ENGINE_DEVCE"));
        assertContains(problems, "environment variable CLAWS_ENGINE_DEVCE sets no configuration key",
                "claws.engine.device is 'cpu', expected 'gpu'");
    }

    @Test
    void keyTheApplicationDoesNotDeclare() {
        ApplicationConfig withoutModel = ApplicationConfig.parse(
                "quarkus.grpc.server.port=9000\nquarkus.http.port=8080\nclaws.data-dir=data\n"
                        + "claws.engine.device=cpu\n# claws.admin-token=\nquarkus.package.jar.type=mutable-jar\n");
        assertContains(problemsAfter("cpu", withoutModel, o -> { }),
                "sets claws.model.default, a key the application does not know");
        ApplicationConfig withoutToken = ApplicationConfig.parse(
                "quarkus.grpc.server.port=9000\nquarkus.http.port=8080\nclaws.data-dir=data\nclaws.model.default=m\n"
                        + "claws.engine.device=cpu\nquarkus.package.jar.type=mutable-jar\n");
        assertContains(problemsAfter("cpu", withoutToken, o -> { }),
                "environment variable CLAWS_ADMIN_TOKEN sets no configuration key the application knows");
    }

    @Test
    void buildTimeKeyInTheCluster() {
        String problems = problemsAfter("cpu", o -> editConfigFile(o, "quarkus.datasource.username=claws",
                "quarkus.datasource.username=claws\nquarkus.datasource.db-kind=postgresql"));
        assertContains(problems, "sets quarkus.datasource.db-kind, which Quarkus fixes at build time");
    }

    @Test
    void imageNotBuiltForPostgresql() {
        ApplicationConfig notMutable = ApplicationConfig.parse(
                "quarkus.grpc.server.port=9000\nquarkus.http.port=8080\nclaws.data-dir=data\nclaws.model.default=m\n"
                        + "claws.engine.device=cpu\n# claws.admin-token=\nquarkus.datasource.db-kind=h2\n");
        assertContains(problemsAfter("cpu", notMutable, o -> { }),
                "re-augments the application for PostgreSQL, which needs quarkus.package.jar.type=mutable-jar");
        DockerfileFacts noRebuild = new DockerfileFacts(IMAGE.user(), IMAGE.workdir(), IMAGE.exposed(), IMAGE.copies(), List.of());
        List<String> problems = DeploymentConsistency.check(RenderedOverlay.of("cpu", render("cpu")), APP, noRebuild, "cpu");
        assertContains(String.join("\n", problems), "the cluster connects to PostgreSQL but the image keeps quarkus.datasource.db-kind=");
    }

    @Test
    void configMapNotMountedWhereQuarkusReadsIt() {
        String problems = problemsAfter("cpu", o -> element(serverContainer(o).get("volumeMounts"), "name", "config")
                .put("mountPath", "/etc/claws"));
        assertContains(problems, "no ConfigMap provides /deployments/config/application.properties");
    }

    @Test
    void dataDirectoryNotOnTheVolume() {
        String problems = problemsAfter("cpu", o -> editConfigFile(o, "claws.data-dir=/data", "claws.data-dir=/var/lib/claws"));
        assertContains(problems, "claws.data-dir /var/lib/claws is not a PersistentVolumeClaim mount");
    }

    @Test
    void replicasWithAReadWriteOnceVolume() {
        String problems = problemsAfter("cpu", o -> {
            ObjectNode spec = (ObjectNode) object(o, "Deployment", "claws").get("spec");
            spec.put("replicas", 3);
            spec.remove("strategy");
        });
        assertContains(problems, "has 3 replicas but PersistentVolumeClaim claws-data is not ReadWriteMany",
                "uses RollingUpdate with a ReadWriteOnce volume");
    }

    @Test
    void databaseWiring() {
        String problems = problemsAfter("cpu", o -> {
            editConfigFile(o, "quarkus.datasource.username=claws", "quarkus.datasource.username=postgres");
            ((ObjectNode) object(o, "StatefulSet", "claws-postgres").get("spec")).put("serviceName", "postgres");
        });
        assertContains(problems, "quarkus.datasource.username postgres differs from POSTGRES_USER claws",
                "StatefulSet claws-postgres: serviceName is postgres, not claws-postgres");
        assertContains(problemsAfter("cpu", o -> editConfigFile(o,
                        "quarkus.datasource.jdbc.url=jdbc:postgresql://claws-postgres:5432/claws",
                        "quarkus.datasource.jdbc.url=jdbc:postgresql://postgres:5432/claws")),
                "quarkus.datasource.jdbc.url host postgres is no Service");
    }

    @Test
    void secretReferenceToAMissingKey() {
        String problems = problemsAfter("cpu", o -> ((ObjectNode) element(serverContainer(o).get("env"), "name", "CLAWS_ADMIN_TOKEN")
                .at("/valueFrom/secretKeyRef")).put("key", "admin_token"));
        assertContains(problems, "env CLAWS_ADMIN_TOKEN refers to missing Secret key claws-secrets/admin_token");
    }

    @Test
    void realLookingSecretValue() {
        String problems = problemsAfter("cpu", o -> ((ObjectNode) object(o, "Secret", "claws-secrets").get("stringData"))
                .put("db-password", "hunter2"));
        assertContains(problems, "Secret claws-secrets key db-password holds a value that is not a CHANGE-ME placeholder");
    }

    @Test
    void gpuOverlayWithoutAGpu() {
        String problems = problemsAfter("gpu", o -> {
            ((ObjectNode) serverContainer(o).at("/resources/limits")).remove("nvidia.com/gpu");
            ((ObjectNode) object(o, "Deployment", "claws").at("/spec/template/spec")).remove("tolerations");
        });
        assertContains(problems, "container claws has no nvidia.com/gpu limit", "no toleration for the nvidia.com/gpu taint");
    }

    @Test
    void cpuOverlayAskingForAGpu() {
        String problems = problemsAfter("cpu", o -> ((ObjectNode) serverContainer(o).at("/resources/limits"))
                .set("nvidia.com/gpu", IntNode.valueOf(1)));
        assertContains(problems, "overlay cpu is not a GPU overlay but asks for nvidia.com/gpu");
    }

    @Test
    void requestAboveLimitAndMissingLimits() {
        String problems = problemsAfter("cpu", o -> {
            ((ObjectNode) serverContainer(o).at("/resources/requests")).put("memory", "16Gi");
            ObjectNode postgres = (ObjectNode) ((ArrayNode) object(o, "StatefulSet", "claws-postgres")
                    .at("/spec/template/spec/containers")).get(0);
            ((ObjectNode) postgres.get("resources")).remove("limits");
        });
        assertContains(problems, "container claws: memory request 16Gi exceeds its limit 8Gi",
                "StatefulSet claws-postgres container postgres: no cpu limit");
    }

    @Test
    void servingMemoryBudgetAboveWhatTheContainerMayUse() {
        String problems = problemsAfter("cpu", o -> editConfigFile(o,
                "claws.serve.memory-budget-bytes=3221225472", "claws.serve.memory-budget-bytes=8589934592"));
        assertContains(problems, "claws.serve.memory-budget-bytes 8589934592 is not below the container memory limit 8Gi");
        problems = problemsAfter("cpu", o -> editConfigFile(o,
                "claws.serve.memory-budget-bytes=3221225472", "claws.serve.memory-budget-bytes=6442450944"));
        assertContains(problems, "claws.serve.memory-budget-bytes 6442450944 is more than half the container memory limit 8Gi");
    }

    @Test
    void relativeEvaluationDataDirectory() {
        String problems = problemsAfter("cpu", o -> editConfigFile(o, "claws.eval.data-dir=/data/eval",
                "claws.eval.data-dir=../shared/data"));
        assertContains(problems, "claws.eval.data-dir is '../shared/data': the cluster must set an absolute path");
    }

    @Test
    void disruptionBudgetThatBlocksDrains() {
        String problems = problemsAfter("cpu", o -> ((ObjectNode) object(o, "PodDisruptionBudget", "claws").get("spec"))
                .put("maxUnavailable", 0));
        assertContains(problems, "PodDisruptionBudget claws never allows an eviction with 1 replica(s)");
    }

    @Test
    void modelPathOutsideTheImage() {
        String problems = problemsAfter("cpu", o -> editConfigFile(o, "claws.model.default=/deployments/models/claws-tiny",
                "claws.model.default=/models/claws-tiny"));
        assertContains(problems, "claws.model.default is '/models/claws-tiny' but the image holds the bundled models under /deployments/models/");
    }
}
