package dev.claws.api.tools;

import dev.claws.api.v1.GetStudyReportRequest;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.StudyFigure;
import dev.claws.api.v1.StudyReport;
import dev.claws.api.v1.StudySetting;
import dev.claws.api.v1.StudyShape;
import dev.claws.model.tools.CommandLine;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Writes a finished study's report to a directory: {@code index.html} (self-contained, figures embedded) and every
 * figure as a PNG file beside it, from a running server's Jobs.GetStudyReport; prints the per-setting numbers.
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.mainClass=dev.claws.api.tools.WriteStudyReport \
 *   -Dexec.args="--server localhost:9000 --name smollm2-135m-law --out docs/study"
 * </pre>
 * (or {@code --job ID} instead of {@code --name}; {@code --token T} when the server has an admin token, not needed for
 * reads).
 */
public final class WriteStudyReport {

    private WriteStudyReport() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        CommandLine cli = new CommandLine(args, Set.of());
        String[] server = cli.get("server", "localhost:9000").split(":");
        Path out = Path.of(cli.require("out"));
        GetStudyReportRequest.Builder request = GetStudyReportRequest.newBuilder();
        if (cli.has("job")) {
            request.setJobId(Long.parseLong(cli.require("job")));
        } else {
            request.setName(cli.require("name"));
        }
        ManagedChannel channel = ManagedChannelBuilder.forAddress(server[0], Integer.parseInt(server[1]))
                .usePlaintext().maxInboundMessageSize(256 << 20).build();
        try {
            JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(channel);
            if (cli.has("token")) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                        "Bearer " + cli.require("token"));
                jobs = jobs.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            }
            StudyReport report = jobs.getStudyReport(request.build());
            Files.createDirectories(out);
            Files.writeString(out.resolve("index.html"), report.getHtml(), StandardCharsets.UTF_8);
            for (StudyFigure f : report.getFiguresList()) {
                Files.write(out.resolve(f.getName()), f.getData().toByteArray());
            }
            System.out.printf(Locale.ROOT, "study '%s' (job %d) on %s: %d measurements; wrote %s and %d figure(s)%n",
                    report.getName(), report.getJobId(), report.getBase(), report.getMeasurementsCount(),
                    out.resolve("index.html"), report.getFiguresCount());
            print(report);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void print(StudyReport report) {
        for (StudySetting s : report.getSettingsList()) {
            String label = String.format(Locale.ROOT, "%s / %s / %s", kind(s.getKindValue()),
                    s.getMethod().name().replace("COMPRESSION_METHOD_", "").toLowerCase(Locale.ROOT),
                    s.getWithRft() ? "with RFT" : "without RFT");
            if (!s.hasFit()) {
                System.out.printf(Locale.ROOT, "%s: no fit: %s%n", label, s.getError());
                continue;
            }
            var f = s.getFit();
            System.out.printf(Locale.ROOT, "%s (%s, n = %d): alpha %.4f [%.4f, %.4f], beta %.4f [%.4f, %.4f], gamma %s;"
                            + " R² log centred %.4f, uncentred %.4f, linear %.4f; held-out mean |rel. error| %s;"
                            + " critical ratio %s%n",
                    label, s.getMetric(), f.getNPoints(), f.getAlpha().getEstimate(), f.getAlpha().getCiLow(),
                    f.getAlpha().getCiHigh(), f.getBeta().getEstimate(), f.getBeta().getCiLow(), f.getBeta().getCiHigh(),
                    f.getGamma().getEstimated() ? String.format(Locale.ROOT, "%.4f [%.4f, %.4f]",
                            f.getGamma().getEstimate(), f.getGamma().getCiLow(), f.getGamma().getCiHigh()) : "0 (fixed)",
                    f.getR2LogCentered(), f.getR2Log(), f.getR2Linear(),
                    s.hasHeldOutMeanAbsRelativeError()
                            ? String.format(Locale.ROOT, "%.2f%%", 100 * s.getHeldOutMeanAbsRelativeError()) : "n/a",
                    s.hasCritical() ? String.format(Locale.ROOT, "%.4f at sigma %.2f", s.getCritical().getRCritical(),
                            s.getSigma()) : "n/a (" + s.getCriticalError() + ")");
        }
        for (StudyShape s : report.getShapesList()) {
            System.out.printf(Locale.ROOT, "shape %s / %s / D = %d / %s %s: %s%n", kind(s.getKindValue()),
                    s.getMethod().name().replace("COMPRESSION_METHOD_", "").toLowerCase(Locale.ROOT),
                    s.getRftTokens(), s.getTask(), s.getMetric(), s.hasShape()
                            ? String.format(Locale.ROOT, "%s (F = %.4g, p = %.4g; R² linear %.4f, quadratic %.4f)",
                            s.getShape().getPreferred(), s.getShape().getFStatistic(), s.getShape().getPValue(),
                            s.getShape().getLinearR2(), s.getShape().getQuadraticR2())
                            : "no check: " + s.getError());
        }
        report.getSpeedsList().forEach(s -> System.out.printf(Locale.ROOT,
                "speed %s r = %.2f seed %d: measured %.3fx, ideal %.3fx (%.1f vs base %.1f ms/token)%n",
                s.getMethod().name().replace("COMPRESSION_METHOD_", "").toLowerCase(Locale.ROOT), s.getRatio(),
                s.getSeed(), s.getSpeedup(), s.getIdealSpeedup(), s.getDecodeMsPerToken(),
                s.getBaseDecodeMsPerToken()));
    }

    private static String kind(int value) {
        return value == 1 ? "intrinsic" : "extrinsic";
    }
}
