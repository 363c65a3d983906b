package dev.claws.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses rendered objects into the fabric8 Kubernetes model as strictly as the API server decodes them.
 * <p>
 * fabric8 classes keep unknown fields in an {@code additionalProperties} map instead of failing, so
 * FAIL_ON_UNKNOWN_PROPERTIES alone lets {@code contianerPort} through; after parsing, every model object reachable
 * from the root is visited and any non-empty additionalProperties is reported with its full path. Scalars are not
 * coerced ("9000" is no port, 1 is no string), duplicate keys are refused by the YAML reader, and only the
 * apiVersion/kind pairs of the classes below are accepted.
 */
final class StrictSchema {

    private static final List<Class<? extends HasMetadata>> KINDS = List.of(
            Namespace.class, ConfigMap.class, Secret.class, Service.class, PersistentVolumeClaim.class,
            Deployment.class, StatefulSet.class, PodDisruptionBudget.class);

    private static final Map<String, Class<? extends HasMetadata>> BY_TYPE = new LinkedHashMap<>();

    static {
        for (Class<? extends HasMetadata> c : KINDS) {
            BY_TYPE.put(HasMetadata.getApiVersion(c) + " " + HasMetadata.getKind(c), c);
        }
    }

    private static final JsonMapper MAPPER = strictMapper();

    private StrictSchema() {
    }

    private static JsonMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        mapper.coercionConfigDefaults()
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }

    static final class Violation extends RuntimeException {
        Violation(String message) {
            super(message);
        }
    }

    static HasMetadata parse(ObjectNode object) {
        String id = object.path("apiVersion").asText() + " " + object.path("kind").asText();
        Class<? extends HasMetadata> type = BY_TYPE.get(id);
        String where = Manifests.id(object);
        if (type == null) {
            throw new Violation(where + ": apiVersion/kind '" + id + "' is not one of " + BY_TYPE.keySet());
        }
        HasMetadata typed;
        try {
            typed = MAPPER.treeToValue(object, type);
        } catch (JsonProcessingException e) {
            throw new Violation(where + ": does not match the " + type.getSimpleName() + " schema at "
                    + path(e).substring(1) + ": " + e.getOriginalMessage());
        }
        List<String> unknown = new ArrayList<>();
        visit(typed, "", unknown);
        if (!unknown.isEmpty()) {
            throw new Violation(where + ": unknown field(s) for " + type.getSimpleName() + ": " + String.join(", ", unknown));
        }
        return typed;
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            StringBuilder sb = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
                sb.append(r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]");
            }
            return sb.toString();
        }
        return " ?";
    }

    /** Walks the model graph by its Jackson properties; collects the path of every field the model did not know. */
    private static void visit(Object value, String path, List<String> unknown) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object element : list) {
                visit(element, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> visit(v, path + "." + k, unknown));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model.")) {
            return;
        }
        Map<?, ?> extra = additionalProperties(value);
        if (extra != null) {
            extra.keySet().forEach(k -> unknown.add((path + "." + k).substring(1)));
        }
        BeanDescription bean = MAPPER.getSerializationConfig().introspect(MAPPER.constructType(value.getClass()));
        for (BeanPropertyDefinition property : bean.findProperties()) {
            AnnotatedMember accessor = property.getAccessor();
            if (accessor != null && !property.getName().equals("additionalProperties")) {
                visit(accessor.getValue(value), path + "." + property.getName(), unknown);
            }
        }
    }

    private static Map<?, ?> additionalProperties(Object model) {
        try {
            Method m = model.getClass().getMethod("getAdditionalProperties");
            return (Map<?, ?>) m.invoke(model);
        } catch (NoSuchMethodException e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
