package dev.claws.api;

import dev.claws.api.v1.GetStudyReportRequest;
import dev.claws.api.v1.HeldOutCheck;
import dev.claws.api.v1.LawKind;
import dev.claws.api.v1.StudyFigure;
import dev.claws.api.v1.StudyMeasurement;
import dev.claws.api.v1.StudyRecovery;
import dev.claws.api.v1.StudyReport;
import dev.claws.api.v1.StudySetting;
import dev.claws.api.v1.StudyShape;
import dev.claws.api.v1.StudySpeed;
import dev.claws.api.v1.SubmitStudyRequest;
import dev.claws.jobs.StudyAnalysisJson;
import dev.claws.law.SettingFit;
import dev.claws.law.StudyAnalysis;
import dev.claws.report.PublishedFindings;
import dev.claws.report.RenderedReport;
import dev.claws.report.StudyReportPage;
import dev.claws.store.JobEntity;
import dev.claws.store.JobRepository;
import dev.claws.store.LawFitRepository;
import dev.claws.store.StudyResultEntity;
import dev.claws.store.StudyResultRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import com.google.protobuf.ByteString;
import java.util.Locale;

/** Builds GetStudyReport answers from a finished study's stored analysis and law fits. */
@ApplicationScoped
public class StudyReports {

    @Inject
    JobRepository jobs;

    @Inject
    StudyResultRepository results;

    @Inject
    LawFitRepository fits;

    StudyReport report(GetStudyReportRequest request) {
        if (request.getJobId() < 0) {
            throw ErrorStatus.invalid("job_id must be a positive id (or 0 to find the study by name), got " + request.getJobId());
        }
        if (request.getJobId() == 0 && request.getName().isEmpty()) {
            throw ErrorStatus.invalid("job_id or name is required: the study job's id or the study's name");
        }
        Loaded loaded = QuarkusTransaction.requiringNew().call(() -> {
            StudyResultEntity result;
            if (request.getJobId() > 0) {
                JobEntity job = jobs.findByIdOptional(request.getJobId()).orElseThrow(() ->
                        ErrorStatus.notFound("job " + request.getJobId() + " does not exist"));
                if (job.kind != JobEntity.Kind.STUDY) {
                    throw ErrorStatus.invalid("job_id " + job.id + " is a " + job.kind + " job, not a study");
                }
                result = results.findByIdOptional(job.id).orElseThrow(() -> ErrorStatus.failedPrecondition("study job "
                        + job.id + " is " + job.state + ": its report exists once it has finished"
                        + (job.state.isFinal() ? " successfully" : "")));
            } else {
                String name = Validation.variantName("name", request.getName());
                result = results.findNewestByName(name).orElseThrow(() ->
                        ErrorStatus.notFound("no finished study is named '" + name + "'"));
            }
            JobEntity job = jobs.findById(result.jobId);
            SubmitStudyRequest submitted = StoreMapping.mergeJson(job.requestJson, SubmitStudyRequest.newBuilder())
                    .build();
            StudyAnalysis analysis = StudyAnalysisJson.decode(result.analysisJson);
            StudyReport.Builder b = numbers(analysis)
                    .setJobId(job.id)
                    .setName(result.name)
                    .setBase(submitted.getBase())
                    .setState(StoreMapping.state(job.state));
            return new Loaded(b, analysis);
        });
        StudyReport.Builder report = loaded.report();
        report.addAllPublishedFindings(PublishedFindings.LINES);
        if (!request.getNumbersOnly()) {
            RenderedReport page = StudyReportPage.render(report.getName(), report.getBase(), report.getJobId(),
                    loaded.analysis());
            report.setHtml(page.html());
            for (RenderedReport.Figure f : page.figures()) {
                report.addFigures(StudyFigure.newBuilder().setName(f.name()).setContentType(f.contentType())
                        .setData(ByteString.copyFrom(f.data())).setCaption(f.caption()));
            }
        }
        return report.build();
    }

    /** The reply's numbers and the analysis they came from, read in one transaction. */
    private record Loaded(StudyReport.Builder report, StudyAnalysis analysis) {
    }

    /** The numbers of an analysis as API messages (needs a transaction: the fits are read from law_fit). */
    private StudyReport.Builder numbers(StudyAnalysis a) {
        StudyReport.Builder b = StudyReport.newBuilder();
        for (var o : a.observations()) {
            b.addMeasurements(StudyMeasurement.newBuilder().setMethod(method(o.method())).setRatio(o.ratio())
                    .setSeed(o.seed()).setRftTokens(o.rftTokens()).setTask(o.task()).setMetric(o.metric())
                    .setValue(o.value()).setStderr(o.stderr()).setBaseValue(o.baseValue()).setVariant(o.variant()));
        }
        for (var s : a.speeds()) {
            b.addSpeeds(StudySpeed.newBuilder().setMethod(method(s.method())).setRatio(s.ratio()).setSeed(s.seed())
                    .setVariant(s.variant()).setSpeedup(s.speedup()).setIdealSpeedup(s.idealSpeedup())
                    .setDecodeMsPerToken(s.decodeMsPerToken()).setDecodeMsSpread(s.decodeMsSpread())
                    .setBaseDecodeMsPerToken(s.baseDecodeMsPerToken()));
        }
        for (SettingFit s : a.settings()) {
            StudySetting.Builder setting = StudySetting.newBuilder()
                    .setKind(s.intrinsic() ? LawKind.LAW_KIND_INTRINSIC : LawKind.LAW_KIND_EXTRINSIC)
                    .setMethod(method(s.method())).setWithRft(s.withRft()).setMetric(s.metric())
                    .setError(nullToEmpty(s.error())).setSigma(s.sigma())
                    .setCriticalError(nullToEmpty(s.criticalError()))
                    .addAllDropped(s.dropped());
            if (s.lawFitId() != null) {
                fits.findByIdOptional(s.lawFitId()).ifPresent(row -> setting.setFit(StoreMapping.lawFit(row)));
            }
            for (var h : s.heldOut()) {
                HeldOutCheck.Builder check = HeldOutCheck.newBuilder().setRatio(h.ratio()).setPoints(h.points())
                        .setCovered(h.covered()).setError(nullToEmpty(h.error()));
                if (h.meanAbsRelativeError() != null) {
                    check.setMeanAbsRelativeError(h.meanAbsRelativeError())
                            .setMaxAbsRelativeError(h.maxAbsRelativeError());
                }
                setting.addHeldOut(check);
            }
            if (s.heldOutMeanAbsRelativeError() != null) {
                setting.setHeldOutMeanAbsRelativeError(s.heldOutMeanAbsRelativeError());
            }
            if (s.critical() != null) {
                setting.setCritical(LawMapping.criticalRatio(s.critical()));
            }
            b.addSettings(setting);
        }
        for (var s : a.shapes()) {
            StudyShape.Builder shape = StudyShape.newBuilder()
                    .setKind(s.intrinsic() ? LawKind.LAW_KIND_INTRINSIC : LawKind.LAW_KIND_EXTRINSIC)
                    .setMethod(method(s.method())).setRftTokens(s.rftTokens()).setTask(s.task()).setMetric(s.metric())
                    .setError(nullToEmpty(s.error()));
            if (s.check() != null) {
                shape.setShape(LawMapping.shape(s.check()));
            }
            b.addShapes(shape);
        }
        for (var r : a.recoveries()) {
            StudyRecovery.Builder recovery = StudyRecovery.newBuilder().setMethod(method(r.method()))
                    .setRatio(r.ratio()).setSeed(r.seed()).setRftTokens(r.rftTokens()).setTask(r.task())
                    .setMetric(r.metric()).setBaseValue(r.base()).setCompressedValue(r.compressed())
                    .setRecoveredValue(r.recovered());
            if (r.fraction() != null) {
                recovery.setFraction(r.fraction());
            }
            b.addRecoveries(recovery);
        }
        return b;
    }

    private static dev.claws.api.v1.CompressionMethod method(String id) {
        return StoreMapping.method(dev.claws.store.VariantEntity.Method.valueOf(id.toUpperCase(Locale.ROOT)));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
