package dev.hallmark.service.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.KeyFileException;
import dev.hallmark.key.VllmKey;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.service.Problem;
import dev.hallmark.service.store.KeyStore;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Base64;
import java.util.Set;

/**
 * {@code /v1/keys} (admins only): list, register (generate or import a Hallmark key, given as its
 * secret or as the key file {@code hallmark keygen} writes; import a SynthID key set; import vLLM's
 * 64-bit key, given as {@code "key"} or as the file {@code hallmark keygen --vllm-key N} writes),
 * show, derive per-account keys, retire. Secrets go in, never out.
 */
final class KeysResource implements Resource {

    static final Set<String> KEY_FIELDS = Set.of("kind", "scheme", "label", "secret", "keys", "key",
            // a key file written by `hallmark keygen` (or `hallmark keygen --vllm-key N`), sent as it is
            "format", "version", "type", "key_id", "created", "parent_id", "derivation_path", "vllm_key");
    static final Set<String> DERIVE_FIELDS = Set.of("path", "label", "scheme");

    private final KeyStore keys;
    private final Auth auth;
    private final Work work;
    private final BodyHandler body;

    KeysResource(KeyStore keys, Auth auth, Work work, BodyHandler body) {
        this.keys = keys;
        this.auth = auth;
        this.work = work;
        this.body = body;
    }

    @Override
    public void mount(Router r) {
        r.get("/v1/keys").handler(auth::requireAdmin).handler(ctx -> work.respond(ctx, () -> {
            JsonArray a = new JsonArray();
            keys.list().forEach(k -> a.add(Views.key(k)));
            return new JsonObject().put("keys", a);
        }));
        r.post("/v1/keys").handler(body).handler(auth::requireAdmin).handler(this::register);
        r.get("/v1/keys/:id").handler(auth::requireAdmin).handler(ctx -> work.respond(ctx, () -> {
            KeyStore.Info k = keys.get(ctx.pathParam("id"));
            if (k == null) {
                throw Problem.notFound("no key with id '" + ctx.pathParam("id") + "'");
            }
            return Views.key(k);
        }));
        r.post("/v1/keys/:id/derive").handler(body).handler(auth::requireAdmin).handler(this::derive);
        r.delete("/v1/keys/:id").handler(auth::requireAdmin).handler(ctx -> work.respondAtomically(ctx, () -> {
            String id = ctx.pathParam("id");
            if (!keys.retire(id)) {
                throw Problem.notFound("no key with id '" + id + "'");
            }
            auth.audit(ctx, "key.retire", id, null);
            return Views.key(keys.get(id));
        }));
    }

    private void register(RoutingContext ctx) {
        JsonBody b;
        try {
            b = JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), KEY_FIELDS);
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        if (b.has("format") && b.has("type") && KeyFile.TYPE_VLLM.equals(b.node("type").asText())) {
            work.respondAtomically(ctx, () -> {
                if (b.has("kind") && !KeyStore.KIND_VLLM.equals(b.string("kind", null))) {
                    throw Problem.invalid("the key file holds a vLLM key (type \"vllm\"); 'kind' must be absent or "
                            + "'vllm', got '" + b.string("kind", null) + "'");
                }
                VllmKey key;
                try {
                    key = KeyFile.parseVllm(ctx.body().asString(), "(request body)");
                } catch (KeyFileException e) {
                    throw Problem.invalid(e.getMessage());
                }
                KeyStore.Info k = keys.registerVllm(key, b.string("scheme", null), b.string("label", null));
                auth.audit(ctx, "key.import", k.id(), k.scheme() + " (vLLM key file)");
                return created(ctx, k);
            });
            return;
        }
        if (b.has("format")) {
            work.respondAtomically(ctx, () -> {
                WatermarkKey key;
                try {
                    key = KeyFile.parse(ctx.body().asString(), "(request body)");
                } catch (KeyFileException e) {
                    throw Problem.invalid(e.getMessage());
                }
                KeyStore.Info k = keys.register(key, b.string("scheme", null), b.string("label", null));
                auth.audit(ctx, "key.import", k.id(), k.scheme() + " (key file)");
                return created(ctx, k);
            });
            return;
        }
        work.respondAtomically(ctx, () -> {
            String kind = b.string("kind", KeyStore.KIND_HALLMARK);
            if (KeyStore.KIND_SYNTHID.equals(kind)) {
                if (b.has("secret")) {
                    throw Problem.invalid("a SynthID key set is given as 'keys' (a JSON array of int64), not 'secret'");
                }
                JsonNode ks = b.node("keys");
                KeyStore.Info k = keys.registerSynthId(b.string("scheme", null), b.string("label", null),
                        ks == null || ks.isNull() ? null : ks.toString());
                auth.audit(ctx, "key.import", k.id(), k.scheme() + " (SynthID key set)");
                return created(ctx, k);
            }
            if (KeyStore.KIND_VLLM.equals(kind)) {
                if (b.has("secret") || b.has("keys")) {
                    throw Problem.invalid("a vLLM key is given as 'key' (vLLM's integer key as a decimal string), not "
                            + "'secret' or 'keys'");
                }
                KeyStore.Info k = keys.registerVllm(KeyStore.vllmKey(vllmKeyText(b.node("key"))),
                        b.string("scheme", null), b.string("label", null));
                auth.audit(ctx, "key.import", k.id(), k.scheme() + " (vLLM key)");
                return created(ctx, k);
            }
            if (!KeyStore.KIND_HALLMARK.equals(kind)) {
                throw Problem.invalid("'kind' must be 'hallmark' (default), 'synthid' or 'vllm', got '" + kind + "'");
            }
            if (b.has("key")) {
                throw Problem.invalid("'key' is vLLM's key (\"kind\": \"vllm\"); a Hallmark key takes 'secret' (or "
                        + "nothing, to generate one)");
            }
            if (b.has("keys")) {
                throw Problem.invalid("'keys' is for SynthID key sets (\"kind\": \"synthid\"); a Hallmark key takes "
                        + "'secret' (or nothing, to generate one)");
            }
            String secretB64 = b.string("secret", null);
            byte[] secret = null;
            if (secretB64 != null) {
                try {
                    secret = Base64.getDecoder().decode(secretB64);
                } catch (IllegalArgumentException e) {
                    throw Problem.invalid("'secret' must be 32 bytes in standard Base64");
                }
                if (secret.length != 32) {
                    throw Problem.invalid("'secret' must be 32 bytes in standard Base64, got " + secret.length + " bytes");
                }
            }
            KeyStore.Info k = keys.register(b.string("scheme", null), b.string("label", null), secret);
            auth.audit(ctx, secret == null ? "key.generate" : "key.import", k.id(), k.scheme());
            return created(ctx, k);
        });
    }

    private void derive(RoutingContext ctx) {
        JsonBody b;
        try {
            b = JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), DERIVE_FIELDS);
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        work.respondAtomically(ctx, () -> {
            String path = b.string("path", null);
            if (path == null) {
                throw Problem.invalid("'path' is required, e.g. 'account/123'");
            }
            String label = b.string("label", path);
            KeyStore.Info k = keys.derive(ctx.pathParam("id"), path, b.string("scheme", null), label);
            auth.audit(ctx, "key.derive", k.id(), "from " + ctx.pathParam("id") + " path " + path);
            return created(ctx, k);
        });
    }

    /**
     * vLLM's key as the request gives it: a string, or a JSON integer (its exact digits; Jackson keeps
     * integers beyond 64 bits exactly, so out-of-range values are named as sent).
     *
     * @throws Problem invalid-request for other JSON types
     */
    static String vllmKeyText(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isIntegralNumber()) {
            return n.bigIntegerValue().toString();
        }
        throw Problem.invalid("'key' must be vLLM's key as a decimal string (an integer in [0, 2^64 - 1], e.g. "
                + "\"42\"), got a JSON " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                + (n.isNumber() ? " " + n.asText() : ""));
    }

    /** 201 with the new key's location and metadata. */
    private static JsonObject created(RoutingContext ctx, KeyStore.Info k) {
        ctx.response().setStatusCode(201).putHeader(HttpHeaders.LOCATION, "/v1/keys/" + k.id());
        return Views.key(k);
    }
}
