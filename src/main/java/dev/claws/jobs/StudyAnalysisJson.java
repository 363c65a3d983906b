package dev.claws.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.claws.law.StudyAnalysis;

/**
 * The stored form of a study's analysis (study_result.analysis_json): the law layer's records as JSON (Jackson, record
 * components by name). Infinite F statistics and critical ratios are written as the strings "Infinity" / "-Infinity" and read back as numbers.
 */
public final class StudyAnalysisJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private StudyAnalysisJson() {
    }

    public static String encode(StudyAnalysis analysis) {
        try {
            return MAPPER.writeValueAsString(analysis);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the study analysis as JSON: " + e.getMessage(), e);
        }
    }

    public static StudyAnalysis decode(String json) {
        try {
            return MAPPER.readValue(json, StudyAnalysis.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored study analysis is not valid: " + e.getMessage(), e);
        }
    }
}
