package dev.claws.jobs;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.claws.store.JobEntity;
import java.util.List;

/**
 * A validated job request: the only thing the job runner accepts. The API layer builds it once, at submission, from
 * the wire request (checking every field and resolving the stored variants it names); the runner stores it as JSON
 * (job.spec_json, see {@link JobJson}) and reads it back when the job starts, also after a restart.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = CompressionJobSpec.class, name = "compression"),
        @JsonSubTypes.Type(value = RecoveryJobSpec.class, name = "recovery"),
        @JsonSubTypes.Type(value = EvaluationJobSpec.class, name = "evaluation"),
        @JsonSubTypes.Type(value = BenchmarkJobSpec.class, name = "benchmark"),
        @JsonSubTypes.Type(value = StudySpec.class, name = "study")})
public sealed interface JobSpec permits CompressionJobSpec, RecoveryJobSpec, EvaluationJobSpec, BenchmarkJobSpec,
        StudySpec {

    /** The stored kind of a job running this spec. */
    JobEntity.Kind kind();

    /** The stored variants the job reads; each must still exist when the job starts. */
    List<ModelRef> inputs();
}
