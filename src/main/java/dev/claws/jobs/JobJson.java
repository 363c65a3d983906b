package dev.claws.jobs;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.nio.file.Path;

/**
 * The JSON documents the job runner stores: a job's {@link JobSpec} (job.spec_json) and its {@link JobResultData}
 * (job.result_json of rows that have a spec). Records are written field by field (record components only, no derived
 * accessors); unknown fields are ignored on reading, so a document written by a later version that added a field
 * still reads.
 */
public final class JobJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            // paths as written (Jackson's default writes an absolute file: URI, which would turn relative paths absolute)
            .registerModule(new SimpleModule()
                    .addSerializer(Path.class, new ToStringSerializer(Path.class))
                    .addDeserializer(Path.class, new FromStringDeserializer<>(Path.class) {
                        @Override
                        protected Path _deserialize(String value, DeserializationContext context) {
                            return Path.of(value);
                        }
                    }));

    private JobJson() {
    }

    public static String spec(JobSpec spec) {
        return write(spec);
    }

    public static JobSpec spec(String json) {
        return read(json, JobSpec.class);
    }

    public static String result(JobResultData result) {
        return write(result);
    }

    public static JobResultData result(String json) {
        return read(json, JobResultData.class);
    }

    private static String write(Object value) {
        try {
            return MAPPER.writerFor(value instanceof JobSpec ? JobSpec.class : value.getClass())
                    .writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not a valid " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }
}
