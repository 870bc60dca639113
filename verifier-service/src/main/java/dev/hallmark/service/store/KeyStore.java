package dev.hallmark.service.store;

import dev.hallmark.interop.SynthIdKeys;
import dev.hallmark.key.VllmKey;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.HfKgwScheme;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.SynthIdRefScheme;
import dev.hallmark.scheme.VllmScheme;
import dev.hallmark.service.Problem;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registered watermark keys, each with the scheme it is used with and the tenant it belongs to
 * (null: shared by every tenant; see {@link KeyScope}). Secrets are sealed with
 * {@link SecretBox} (AES-256-GCM, associated data = key id) before they reach the rows
 * ({@code KeyRecords}), and no method returns them: callers get {@link KeyedScheme}s for detection
 * and {@link Info} for display. Three kinds: Hallmark keys, SynthID key sets and vLLM keys; the
 * kind is a column, the sealed bytes are the kind's own serialisation (no schema change per kind).
 */
public final class KeyStore {

    /**
     * Public metadata of a key: safe to show and log.
     *
     * @param tenant the tenant whose analysts test and see the key, or null if every tenant's do (shared)
     */
    public record Info(String id, String kind, String scheme, String label, String parentId, String derivationPath,
            String status, Instant createdAt, Instant retiredAt, String tenant) {

        public boolean active() {
            return "active".equals(status);
        }

        public boolean synthId() {
            return KIND_SYNTHID.equals(kind);
        }

        public boolean vllm() {
            return KIND_VLLM.equals(kind);
        }
    }

    /** A Hallmark {@link WatermarkKey} (32-byte secret). */
    public static final String KIND_HALLMARK = "hallmark";
    /** The int64 keys of a SynthID-Text generator ({@link SynthIdKeys}), for {@code synthid-ref}. */
    public static final String KIND_SYNTHID = "synthid";
    /** vLLM's unsigned 64-bit watermark key ({@link VllmKey}), for the {@code vllm-*} schemes. */
    public static final String KIND_VLLM = "vllm";

    private final KeyRecords records;
    private final SecretBox box;
    private final SecureRandom random;
    /** Decrypted keys kept under schemes other than their registered one (caller-chosen synthid-ref specs), at most. */
    static final int MAX_VARIANTS = 64;

    // decrypted keyed schemes, by key id: detection must not decrypt per request (one per registered key)
    private final Map<String, KeyedScheme> cache = new ConcurrentHashMap<>();
    // the same keys under caller-chosen specs: a caller could name endless specs, so least recently used go
    private final Map<String, KeyedScheme> variants = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, KeyedScheme> eldest) {
            return size() > MAX_VARIANTS;
        }
    };

    KeyStore(KeyRecords records, SecretBox box, SecureRandom random) {
        this.records = records;
        this.box = box;
        this.random = random;
    }

    /**
     * Parses a scheme spec from a request. A {@code vllm-*} spec with the key inside ({@code key=N}) is
     * refused: requests may be logged and scans store their spec, so a vLLM key is registered
     * ({@code POST /v1/keys}, kind {@code vllm}) and named by id. Messages never repeat an inline key
     * (the core redacts it from the specs it quotes).
     */
    static Scheme parseScheme(String spec) {
        if (spec == null || spec.isBlank()) {
            throw Problem.invalid("'scheme' is required, e.g. 'kgw:gamma=0.25,delta=2,context=1,seeding=lefthash'");
        }
        Scheme s;
        try {
            s = Scheme.parse(spec);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("'scheme': " + e.getMessage());
        }
        if (s instanceof VllmScheme v && v.inlineKey() != null) {
            throw Problem.invalid("'scheme': " + v.name() + " with key=... is not accepted here (a key in a spec "
                    + "would be stored with scans and may reach request logs): register the key with POST /v1/keys "
                    + "{\"kind\": \"vllm\", \"key\": \"N\", \"scheme\": \"" + v + "\", \"label\": ...} and "
                    + "name it in 'key_ids'");
        }
        return s;
    }

    /** Registers a new shared key: generated here, or imported from {@code secret} (32 bytes). */
    public Info register(String schemeSpec, String label, byte[] secret) {
        return register(schemeSpec, label, secret, null);
    }

    /** Registers a new key of {@code tenant} (null: shared): generated here, or imported from {@code secret}. */
    public Info register(String schemeSpec, String label, byte[] secret, String tenant) {
        Scheme scheme = hallmarkScheme(parseScheme(schemeSpec));
        checkLabel(label);
        checkTenant(tenant);
        WatermarkKey key = secret == null ? WatermarkKey.generate(random) : WatermarkKey.fromSecret(secret);
        return insert(key, scheme, label, tenant);
    }

    /**
     * Registers a key read from a key file ({@code hallmark keygen}), with the scheme it is used
     * with, for {@code tenant} (null: shared).
     *
     * @throws Problem invalid-request (scheme, label, tenant), conflict if the key is registered already
     */
    public Info register(WatermarkKey key, String schemeSpec, String label, String tenant) {
        Scheme scheme = hallmarkScheme(parseScheme(schemeSpec));
        checkLabel(label);
        checkTenant(tenant);
        return insert(key, scheme, label, tenant);
    }

    /** A scheme a Hallmark key can be registered with; interop schemes get a problem saying what they take. */
    static Scheme hallmarkScheme(Scheme scheme) {
        switch (scheme.keyKind()) {
            case NONE -> throw Problem.invalid("scheme " + scheme.name() + " needs no key (its hash key is public and "
                    + "part of the spec): do not register it; give it as 'scheme' to POST /v1/detect or "
                    + "?scheme= to POST /v1/scans");
            case SYNTHID_KEYS -> throw Problem.invalid("scheme " + scheme.name() + " verifies with the generator's "
                    + "SynthID keys, not a Hallmark key: register them as {\"kind\": \"synthid\", \"keys\": [...], "
                    + "\"label\": ...}");
            case VLLM -> throw Problem.invalid("scheme " + scheme.name() + " verifies with vLLM's 64-bit key, not a "
                    + "Hallmark key: register it as {\"kind\": \"vllm\", \"key\": \"N\", \"scheme\": ..., "
                    + "\"label\": ...}, or send the key file of hallmark keygen --vllm-key N");
            default -> {
                return scheme;
            }
        }
    }

    /**
     * Registers the int64 keys of a SynthID-Text generator for {@code synthid-ref} detection,
     * sealed at rest like a Hallmark secret. The key id is the set's public fingerprint
     * ({@link SynthIdKeys#id()}, {@code sid-...}).
     *
     * @param schemeSpec a {@code synthid-ref} spec, or null for its defaults
     * @param keysJson the keys as a JSON array (the {@link SynthIdKeys} file format)
     * @throws Problem malformed-key-set naming the problem, invalid-request for another scheme
     */
    public Info registerSynthId(String schemeSpec, String label, String keysJson) {
        return registerSynthId(schemeSpec, label, keysJson, null);
    }

    /** As {@link #registerSynthId(String, String, String)}, for {@code tenant} (null: shared). */
    public Info registerSynthId(String schemeSpec, String label, String keysJson, String tenant) {
        checkTenant(tenant);
        Scheme scheme = parseScheme(schemeSpec == null ? SynthIdRefScheme.NAME : schemeSpec);
        if (scheme.keyKind() != Scheme.KeyKind.SYNTHID_KEYS) {
            throw Problem.invalid("a SynthID key set (kind synthid) is used with the synthid-ref scheme, not '"
                    + scheme + "'");
        }
        checkLabel(label);
        SynthIdKeys keys = synthIdKeys(keysJson);
        if (get(keys.id()) != null) {
            throw Problem.conflict("SynthID key set " + keys.id() + " is already registered");
        }
        byte[] plain = keys.toJson().getBytes(StandardCharsets.UTF_8);
        byte[] sealed = box.seal(plain, keys.id());
        Arrays.fill(plain, (byte) 0);
        insertRow(keys.id(), KIND_SYNTHID, scheme, label, null, null, sealed, tenant);
        return get(keys.id());
    }

    static SynthIdKeys synthIdKeys(String json) {
        if (json == null) {
            throw Problem.malformedKeySet("'keys' is required for kind synthid: a JSON array of the generator's int64 "
                    + "keys, one per layer, e.g. [654, 400, 836, 123, 340, 443, 597, 160, 57, 29]");
        }
        try {
            return SynthIdKeys.parse(json);
        } catch (IllegalArgumentException e) {
            throw Problem.malformedKeySet("'keys': " + e.getMessage());
        }
    }

    /**
     * Registers vLLM's 64-bit watermark key with the {@code vllm-*} scheme it watermarks with, sealed
     * at rest like a Hallmark secret (the sealed bytes are its decimal form). The key id is the key's
     * public fingerprint ({@link VllmKey#id()}, {@code vk-...}).
     *
     * @param schemeSpec a {@code vllm-*} spec (required: vLLM's algorithm is not part of its key)
     * @param tenant the tenant it belongs to, or null: shared
     * @throws Problem invalid-request for a missing or non-vLLM scheme, conflict if already registered
     */
    public Info registerVllm(VllmKey key, String schemeSpec, String label, String tenant) {
        if (schemeSpec == null || schemeSpec.isBlank()) {
            throw Problem.invalid("'scheme' is required for a vLLM key: the vllm-* scheme it watermarks with, e.g. "
                    + "'vllm-gumbel:context=4', 'vllm-dual-key-gumbel:context=4,alpha=0.1' or "
                    + "'vllm-sbw:scheme=selfhash,context=4,gamma=0.5'");
        }
        Scheme scheme = parseScheme(schemeSpec);
        if (scheme.keyKind() != Scheme.KeyKind.VLLM) {
            throw Problem.invalid("a vLLM key (kind vllm) is used with a vllm-* scheme (vllm-gumbel, "
                    + "vllm-dual-key-gumbel, vllm-sbw), not '" + scheme + "'");
        }
        checkLabel(label);
        checkTenant(tenant);
        Info existing = get(key.id());
        if (existing != null) {
            throw Problem.conflict("vLLM key " + key.id() + " is already registered (scheme " + existing.scheme()
                    + "); to test it under another vllm-* spec, give that spec as 'scheme' with the detection");
        }
        byte[] plain = key.exportDecimal().getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = box.seal(plain, key.id());
        Arrays.fill(plain, (byte) 0);
        insertRow(key.id(), KIND_VLLM, scheme, label, null, null, sealed, tenant);
        return get(key.id());
    }

    /** Derives and registers the child key of {@code parentId} for {@code path} (same scheme and tenant unless given). */
    public Info derive(String parentId, String path, String schemeSpec, String label) {
        Info parent = get(parentId);
        return derive(parentId, path, schemeSpec, label, parent == null ? null : parent.tenant());
    }

    /** Derives and registers the child key of {@code parentId} for {@code path}, for {@code tenant} (null: shared). */
    public Info derive(String parentId, String path, String schemeSpec, String label, String tenant) {
        checkTenant(tenant);
        Info parent = get(parentId);
        if (parent == null) {
            throw Problem.notFound("no key with id '" + parentId + "'");
        }
        if (!KIND_HALLMARK.equals(parent.kind())) {
            throw Problem.invalid("key " + parentId + " is a " + (parent.vllm() ? "vLLM key" : "SynthID key set")
                    + ": only Hallmark keys derive per-account keys");
        }
        Scheme scheme = schemeSpec == null ? Scheme.parse(parent.scheme()) : hallmarkScheme(parseScheme(schemeSpec));
        checkLabel(label);
        WatermarkKey master = secretKey(parent);
        WatermarkKey child;
        try {
            child = master.derive(path);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("'path': " + e.getMessage());
        }
        return insert(child, scheme, label, tenant);
    }

    private static void checkLabel(String label) {
        if (label == null || label.isBlank() || label.length() > 200) {
            throw Problem.invalid("'label' must be 1..200 characters");
        }
    }

    private static void checkTenant(String tenant) {
        if (tenant != null) {
            ApiTokens.validateName(tenant, "'tenant'");
        }
    }

    /**
     * Moves a key to {@code tenant} (null: shared by every tenant). Reports already made keep the
     * keys they tested.
     *
     * @return the key's metadata, or null if there is no such key
     */
    public Info setTenant(String id, String tenant) {
        checkTenant(tenant);
        return records.setTenant(id, tenant) ? get(id) : null;
    }

    /** Relabels a key; the key's metadata, or null if there is no such key. */
    public Info setLabel(String id, String label) {
        checkLabel(label);
        return records.setLabel(id, label) ? get(id) : null;
    }

    private Info insert(WatermarkKey key, Scheme scheme, String label, String tenant) {
        if (get(key.id()) != null) {
            throw Problem.conflict("key " + key.id() + " is already registered");
        }
        byte[] secret = key.exportSecret();
        byte[] sealed = box.seal(secret, key.id());
        Arrays.fill(secret, (byte) 0);
        insertRow(key.id(), KIND_HALLMARK, scheme, label, key.parentId(), key.derivationPath(), sealed, tenant);
        return get(key.id());
    }

    private void insertRow(String id, String kind, Scheme scheme, String label, String parentId, String path,
            byte[] sealed, String tenant) {
        records.insert(new Info(id, kind, scheme.toString(), label, parentId, path, "active", Instant.now(), null,
                tenant), sealed);
    }

    /** The key's metadata, or null. */
    public Info get(String id) {
        return records.get(id);
    }

    /** Every key, oldest first. */
    public List<Info> list() {
        return records.list();
    }

    /** The keys in {@code scope}, oldest first. */
    public List<Info> list(KeyScope scope) {
        return list().stream().filter(scope::sees).toList();
    }

    public List<Info> active() {
        return list().stream().filter(Info::active).toList();
    }

    /** The active keys in {@code scope}. */
    public List<Info> active(KeyScope scope) {
        return list(scope).stream().filter(Info::active).toList();
    }

    /** Retires a key: it stays listed, but detection no longer tests it. False if no such key. */
    public boolean retire(String id) {
        cache.remove(id);
        synchronized (variants) {
            variants.keySet().removeIf(k -> k.startsWith(id + "|"));
        }
        return records.retire(id, Instant.now());
    }

    /** Decrypted keys held under caller-chosen schemes now (at most {@value #MAX_VARIANTS}). */
    int cachedVariants() {
        synchronized (variants) {
            return variants.size();
        }
    }

    private WatermarkKey secretKey(Info info) {
        byte[] secret = box.open(sealed(info), info.id());
        try {
            WatermarkKey k = WatermarkKey.fromSecret(secret);
            if (!k.id().equals(info.id())) {
                throw new IllegalStateException("stored key " + info.id() + " decrypts to a different key id");
            }
            return k;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private SynthIdKeys synthIdSecret(Info info) {
        byte[] plain = box.open(sealed(info), info.id());
        try {
            SynthIdKeys k = SynthIdKeys.parse(new String(plain, StandardCharsets.UTF_8));
            if (!k.id().equals(info.id())) {
                throw new IllegalStateException("stored SynthID key set " + info.id() + " decrypts to a different id");
            }
            return k;
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private VllmKey vllmSecret(Info info) {
        byte[] plain = box.open(sealed(info), info.id());
        try {
            VllmKey k = VllmKey.parse(new String(plain, StandardCharsets.US_ASCII));
            if (!k.id().equals(info.id())) {
                throw new IllegalStateException("stored vLLM key " + info.id() + " decrypts to a different id");
            }
            return k;
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private byte[] sealed(Info info) {
        return records.sealed(info.id());
    }

    /** The keyed scheme of a registered key with its registered scheme (decrypted once, then cached in memory). */
    public KeyedScheme keyed(Info info) {
        return keyed(info, Scheme.parse(info.scheme()));
    }

    /**
     * The keyed scheme of a registered key under {@code scheme} (a SynthID key set: any synthid-ref
     * spec; a vLLM key: any vllm-* spec).
     */
    public KeyedScheme keyed(Info info, Scheme scheme) {
        if (scheme.toString().equals(info.scheme())) {
            return cache.computeIfAbsent(info.id(), id -> open(info, scheme));
        }
        String key = info.id() + "|" + scheme;
        synchronized (variants) {
            KeyedScheme k = variants.get(key);
            if (k == null) {
                k = open(info, scheme);
                variants.put(key, k);
            }
            return k;
        }
    }

    /** Decrypts a registered key and binds it to {@code scheme}, by the key's kind. */
    private KeyedScheme open(Info info, Scheme scheme) {
        return switch (info.kind()) {
            case KIND_SYNTHID -> KeyedScheme.of(scheme, synthIdSecret(info));
            case KIND_VLLM -> KeyedScheme.of(scheme, vllmSecret(info));
            default -> KeyedScheme.of(scheme, secretKey(info));
        };
    }

    /**
     * The keys a detection tests: the given ids (each must exist, be active and be in {@code scope}),
     * or all active keys of the scope.
     *
     * @throws Problem unknown-key (422) naming the ids (a key of another tenant is unknown too), or no-keys (409)
     */
    List<Info> select(KeyScope scope, List<String> ids) {
        if (ids == null || ids.isEmpty()) {
            List<Info> a = active(scope);
            if (a.isEmpty()) {
                throw Problem.noKeys();
            }
            return a;
        }
        List<Info> out = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String id : ids) {
            Info i = get(id);
            if (i == null || !i.active() || !scope.sees(i)) {
                unknown.add(id);
            } else if (out.stream().noneMatch(x -> x.id().equals(id))) {
                out.add(i);
            }
        }
        if (!unknown.isEmpty()) {
            throw Problem.unknownKey("no active key with id " + String.join(", ", unknown.stream().map(s -> "'" + s + "'").toList())
                    + " (list keys with GET /v1/keys)").with("key_ids", unknown);
        }
        return out;
    }

    /**
     * The tests one detection or scan runs, in order: each is a registered key with its scheme
     * ({@code infos[i]} non-null) or a keyless scheme ({@code hf-kgw}: {@code infos[i]} null).
     */
    public record Family(List<Info> infos, List<KeyedScheme> keyed) {

        /** The largest context width of the family's schemes. */
        public int maxContextWidth() {
            return keyed.stream().mapToInt(k -> k.scheme().contextWidth()).max().orElse(0);
        }

        /** The family's {@code hf-kgw} scheme, or null. */
        public HfKgwScheme hfKgw() {
            for (KeyedScheme k : keyed) {
                if (k.scheme() instanceof HfKgwScheme h) {
                    return h;
                }
            }
            return null;
        }

        /** The ids of the registered keys tested (none for a keyless scheme). */
        public List<String> keyIds() {
            List<String> out = new ArrayList<>();
            for (Info i : infos) {
                if (i != null) {
                    out.add(i.id());
                }
            }
            return out;
        }

        /** A label for test {@code i}: the key's label, or the keyless scheme's name. */
        public String label(int i) {
            return infos.get(i) != null ? infos.get(i).label()
                    : keyed.get(i).scheme().name() + " (keyless: the reference's public hash key)";
        }

        /**
         * The largest token id + 1 the family can score: the tokenizer's vocabulary, an
         * {@code hf-kgw} spec's {@code vocab}, or a {@code vllm-*} spec's ({@link TokenIdRange#limit}).
         */
        public int idLimit(int tokenizerVocab) {
            return TokenIdRange.limit(keyed, tokenizerVocab);
        }

        /** What the limit {@link #idLimit} returned is, for messages: "the tokenizer vocabulary" or whose vocab. */
        public String idLimitName(int idLimit) {
            return TokenIdRange.limitName(keyed, idLimit);
        }

        /**
         * Checks that text tokenized with the service's tokenizer fits every spec of the family
         * ({@link TokenIdRange#checkText}).
         *
         * @throws Problem vocab-mismatch naming both sizes
         */
        public void checkText(int tokenizerVocab) {
            TokenIdRange.checkText(keyed, tokenizerVocab);
        }
    }

    /**
     * Resolves what a detection or scan tests.
     * <ul>
     *   <li>no {@code schemeSpec}: the registered keys {@code keyIds} (or every active key), each
     *       with the scheme it was registered with (Hallmark keys, SynthID key sets, vLLM keys);
     *   <li>a keyless scheme ({@code hf-kgw:...}): that scheme alone; {@code keyIds} must be absent;
     *   <li>{@code synthid-ref:...}: the registered SynthID key sets {@code keyIds} (or every active
     *       one) under that spec;
     *   <li>{@code vllm-*:...}: the registered vLLM keys {@code keyIds} (or every active one) under
     *       that spec (a spec with an inline {@code key=} is refused, {@link #parseScheme});
     *   <li>a Hallmark scheme: refused (Hallmark keys are tested with their registered scheme).
     * </ul>
     * Only keys in {@code scope} are considered: a key of another tenant is unknown.
     *
     * @throws Problem naming the problem (invalid scheme, keys-required, unknown-key, no-keys)
     */
    public Family family(KeyScope scope, String schemeSpec, List<String> keyIds) {
        boolean named = keyIds != null && !keyIds.isEmpty();
        if (schemeSpec == null) {
            List<Info> infos = select(scope, keyIds);
            List<KeyedScheme> keyed = new ArrayList<>();
            for (Info i : infos) {
                keyed.add(keyed(i));
            }
            return new Family(infos, keyed);
        }
        Scheme scheme = parseScheme(schemeSpec);
        switch (scheme.keyKind()) {
            case NONE -> {
                if (named) {
                    throw Problem.invalid("scheme " + scheme.name() + " needs no key (its hash key is public and part "
                            + "of the spec): omit 'key_ids'");
                }
                List<Info> none = new ArrayList<>();
                none.add(null);
                return new Family(none, List.of(KeyedScheme.of(scheme)));
            }
            case SYNTHID_KEYS -> {
                return registered(scope, scheme, keyIds, KIND_SYNTHID, "the generator's SynthID key sets",
                        "{\"kind\": \"synthid\", \"keys\": [...], \"label\": ...}");
            }
            case VLLM -> {
                return registered(scope, scheme, keyIds, KIND_VLLM, "vLLM's 64-bit keys",
                        "{\"kind\": \"vllm\", \"key\": \"N\", \"scheme\": ..., \"label\": ...}");
            }
            default -> throw Problem.invalid("'scheme' selects an interop scheme (hf-kgw:..., synthid-ref:..., "
                    + "vllm-gumbel:..., vllm-dual-key-gumbel:..., vllm-sbw:...); "
                    + "Hallmark keys are tested with the scheme they were registered with: omit 'scheme' and "
                    + "choose keys with 'key_ids'");
        }
    }

    /**
     * The registered keys of {@code kind} in {@code scope} ({@code keyIds}, each of that kind, or
     * every active one) under {@code scheme}.
     */
    private Family registered(KeyScope scope, Scheme scheme, List<String> keyIds, String kind, String what, String howToRegister) {
        List<Info> infos;
        if (keyIds != null && !keyIds.isEmpty()) {
            infos = select(scope, keyIds);
            for (Info i : infos) {
                if (!kind.equals(i.kind())) {
                    String is = KIND_SYNTHID.equals(i.kind()) ? "SynthID key set"
                            : KIND_VLLM.equals(i.kind()) ? "vLLM key" : "Hallmark key";
                    throw Problem.keysRequired("key " + i.id() + " is a " + is + "; scheme "
                            + scheme.name() + " tests " + what + " (registered with kind " + kind + ")")
                            .with("key_ids", List.of(i.id()));
                }
            }
        } else {
            infos = active(scope).stream().filter(i -> kind.equals(i.kind())).toList();
        }
        if (infos.isEmpty()) {
            throw Problem.keysRequired("scheme " + scheme + " needs " + what + " and none is registered: an admin "
                    + "registers them with POST /v1/keys " + howToRegister);
        }
        List<KeyedScheme> keyed = new ArrayList<>();
        for (Info i : infos) {
            keyed.add(keyed(i, scheme));
        }
        return new Family(infos, keyed);
    }
}
