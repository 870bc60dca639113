package dev.hallmark.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * vLLM's golden vectors ({@code src/test/resources/interop/vllm-watermarking-goldens.json}, provenance
 * in the README there), one {@link Candidate} per entry.
 */
final class VllmGoldens {

    static final String FILE = "vllm-watermarking-goldens.json";

    private VllmGoldens() {}

    /** One golden candidate, with the fields the tests use. */
    record Candidate(String id, JsonNode json) {
        JsonNode config() {
            return json.get("configuration");
        }

        String algorithm() {
            return config().get("scheme").asText();
        }

        JsonNode schemeConfig() {
            return config().get("scheme_config");
        }

        int contextWidth() {
            return schemeConfig().get("context_width").asInt();
        }

        String key() {
            return config().get("key").asText();
        }

        String detectionKey() {
            return config().get("detection_key").asText();
        }

        double generationAlpha() {
            return schemeConfig().get("generation_alpha").asDouble();
        }

        double detectionAlpha() {
            return schemeConfig().get("detection_alpha").asDouble();
        }

        boolean detectionDedup() {
            return schemeConfig().get("detection_deduplicate_contexts").asBoolean();
        }

        String generationScope() {
            return schemeConfig().get("generation_deduplicate_contexts").asText();
        }

        /** The max history, 0 for none (JSON null). */
        int maxHistory() {
            JsonNode n = schemeConfig().get("generation_deduplicate_contexts_max_history");
            return n == null || n.isNull() ? 0 : n.asInt();
        }

        double threshold() {
            return schemeConfig().get("p_value_threshold").asDouble();
        }

        JsonNode fixture() {
            return config().get("fixture");
        }

        int[] prompt() {
            return InteropVectors.ints(fixture().get("prompt"));
        }

        int[] generation() {
            return InteropVectors.ints(json.get("generation"));
        }

        JsonNode trace() {
            return json.get("trace");
        }

        JsonNode detection() {
            return json.get("detection");
        }

        /** The detection spec of this candidate, with its detection key inline. */
        String detectionSpec() {
            String dedup = ",dedup=" + detectionDedup();
            String key = ",key=" + detectionKey();
            int w = contextWidth();
            return switch (algorithm()) {
                case "gumbel" -> "vllm-gumbel:context=" + w + dedup + key;
                case "dual_key_gumbel" -> String.format(Locale.ROOT, "vllm-dual-key-gumbel:alpha=%s,context=%d%s%s",
                        detectionAlpha(), w, dedup, key);
                case "sbw" -> "vllm-sbw:gamma=0.5,scheme=selfhash,context=" + w + dedup + key;
                default -> throw new IllegalStateException("unknown algorithm " + algorithm());
            };
        }

        /** The generation spec (generation alpha, the generation key). */
        String generationSpec() {
            int w = contextWidth();
            String key = ",key=" + key();
            return switch (algorithm()) {
                case "gumbel" -> "vllm-gumbel:context=" + w + key;
                case "dual_key_gumbel" -> "vllm-dual-key-gumbel:context=" + w + ",alpha=" + generationAlpha() + key;
                default -> "vllm-sbw:context=" + w + key;
            };
        }

        @Override
        public String toString() {
            return id;
        }
    }

    static List<Candidate> load() {
        try (InputStream in = VllmGoldens.class.getResourceAsStream("/interop/" + FILE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /interop/" + FILE);
            }
            JsonNode root = new ObjectMapper().readTree(in);
            if (root.get("schema_version").asInt() != 3) {
                throw new IllegalStateException("expected schema_version 3");
            }
            List<Candidate> out = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> it = root.get("candidates").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                out.add(new Candidate(e.getKey(), e.getValue()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
