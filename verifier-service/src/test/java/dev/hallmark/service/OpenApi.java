package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * docs/openapi.yaml as a test oracle: finds the operation of a real request, and validates the
 * request body and the response (status documented, media type documented, body valid against
 * the schema with every {@code $ref} inlined) with vertx-json-schema (draft 2020-12, as OpenAPI
 * 3.1 uses). Records which operations and statuses were exercised.
 */
final class OpenApi {

    private static volatile OpenApi instance;

    private final JsonObject doc;
    private final Map<String, Validator> validators = new ConcurrentHashMap<>();
    final Set<String> exercised = ConcurrentHashMap.newKeySet();

    private OpenApi(JsonObject doc) {
        this.doc = doc;
    }

    static OpenApi get() {
        if (instance == null) {
            synchronized (OpenApi.class) {
                if (instance == null) {
                    Path p = TestSupport.repo().resolve("docs/openapi.yaml");
                    try {
                        Object tree = new ObjectMapper(new YAMLFactory()).readValue(p.toFile(), Object.class);
                        instance = new OpenApi(new JsonObject(new ObjectMapper().writeValueAsString(tree)));
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot read " + p, e);
                    }
                }
            }
        }
        return instance;
    }

    /** The documented path template matching a concrete path, or null. */
    String template(String path) {
        String p = path.split("\\?")[0];
        for (String t : doc.getJsonObject("paths").fieldNames()) {
            String re = Pattern.quote(t).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
            if (p.matches(re)) {
                return t;
            }
        }
        return null;
    }

    JsonObject operation(String method, String path) {
        String t = template(path);
        if (t == null) {
            return null;
        }
        return doc.getJsonObject("paths").getJsonObject(t).getJsonObject(method.toLowerCase(Locale.ROOT));
    }

    Set<String> operations() {
        Set<String> out = new TreeSet<>();
        for (String t : doc.getJsonObject("paths").fieldNames()) {
            for (String m : doc.getJsonObject("paths").getJsonObject(t).fieldNames()) {
                if (!m.equals("parameters")) {
                    out.add(m.toUpperCase(Locale.ROOT) + " " + t);
                }
            }
        }
        return out;
    }

    void validateRequest(String method, String path, String contentType, Buffer body) {
        JsonObject op = operation(method, path);
        if (op == null) {
            fail("undocumented operation " + method + " " + path + " (add it to docs/openapi.yaml)");
        }
        if (body == null || !op.containsKey("requestBody")) {
            return;
        }
        String media = media(contentType);
        JsonObject content = op.getJsonObject("requestBody").getJsonObject("content");
        JsonObject mt = content.getJsonObject(media);
        assertTrue(mt != null, method + " " + path + ": request media type " + media + " not documented");
        if (media.endsWith("json")) {
            check(mt.getJsonObject("schema"), io.vertx.core.json.Json.decodeValue(body), "request " + method + " " + path);
        }
    }

    void validateResponse(String method, String path, int status, String contentType, Buffer body) {
        JsonObject op = operation(method, path);
        if (op == null) {
            return; // static files and unknown routes are not part of the API
        }
        String t = template(path);
        exercised.add(method.toUpperCase(Locale.ROOT) + " " + t + " " + status);
        JsonObject responses = op.getJsonObject("responses");
        JsonObject r = responses.getJsonObject(String.valueOf(status));
        assertTrue(r != null, method + " " + t + ": status " + status + " is not documented; body: "
                + (body == null ? "" : body.toString()));
        if (r.containsKey("$ref")) {
            r = resolve(r.getString("$ref"));
        }
        JsonObject content = r.getJsonObject("content");
        if (content == null) {
            return;
        }
        String media = media(contentType);
        JsonObject mt = content.getJsonObject(media);
        assertTrue(mt != null, method + " " + t + " " + status + ": media type '" + media + "' not documented ("
                + content.fieldNames() + ")");
        if (media.endsWith("json")) {
            check(mt.getJsonObject("schema"), io.vertx.core.json.Json.decodeValue(body), "response " + method + " " + t + " " + status);
        }
    }

    private static String media(String contentType) {
        return contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    }

    private void check(JsonObject schema, Object value, String what) {
        JsonObject inlined = (JsonObject) inline(schema);
        Validator v = validators.computeIfAbsent(inlined.encode(), k -> Validator.create(JsonSchema.of(inlined),
                new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("app://hallmark/")
                        .setOutputFormat(OutputFormat.Basic)));
        OutputUnit out = v.validate(value);
        if (!Boolean.TRUE.equals(out.getValid())) {
            StringBuilder b = new StringBuilder(what + " does not match docs/openapi.yaml:");
            if (out.getErrors() != null) {
                for (OutputUnit e : out.getErrors()) {
                    b.append("\n  ").append(e.getInstanceLocation()).append(": ").append(e.getError())
                            .append(" (").append(e.getKeywordLocation()).append(")");
                }
            }
            String s = String.valueOf(value);
            fail(b + "\n  value: " + (s.length() > 3000 ? s.substring(0, 3000) + "..." : s));
        }
    }

    private JsonObject resolve(String ref) {
        if (!ref.startsWith("#/")) {
            throw new IllegalArgumentException("only local refs: " + ref);
        }
        Object o = doc;
        for (String part : ref.substring(2).split("/")) {
            o = ((JsonObject) o).getValue(part.replace("~1", "/").replace("~0", "~"));
        }
        return (JsonObject) o;
    }

    private Object inline(Object o) {
        if (o instanceof JsonObject j) {
            if (j.containsKey("$ref")) {
                return inline(resolve(j.getString("$ref")));
            }
            JsonObject out = new JsonObject();
            for (String k : j.fieldNames()) {
                // OpenAPI-only keywords that JSON Schema does not know are harmless annotations
                out.put(k, inline(j.getValue(k)));
            }
            return out;
        }
        if (o instanceof JsonArray a) {
            JsonArray out = new JsonArray();
            for (Object x : a) {
                out.add(inline(x));
            }
            return out;
        }
        return o;
    }
}
