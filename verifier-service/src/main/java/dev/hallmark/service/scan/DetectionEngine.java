package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.detect.DocumentFamily;
import dev.hallmark.detect.WindowedDetector;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.service.Problem;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.text.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Synchronous detection of short texts against a family of keys: the per-key exact test of the
 * core {@link Detector}, and with localisation the windows of {@link WindowedDetector}, all in ONE
 * family per document with one alpha ({@link DocumentFamily}: weighted Holm over keys x (whole
 * text + windows)); spans carry character offsets ({@link Evidence}). Thread-safe (the tokenizer
 * and keyed schemes are).
 */
public final class DetectionEngine {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final TextTokenizer tokenizer;
    private final int minTokens;

    public DetectionEngine(TextTokenizer tokenizer, int minTokens) {
        this.tokenizer = tokenizer;
        this.minTokens = minTokens;
    }

    /** Token ids of each text (the service's tokenizer; no special tokens). */
    public int[][] encode(List<String> texts) {
        return tokenizer.encodeBatch(texts);
    }

    /** One input: text (tokenized here) or token ids. */
    public record Input(String text, int[] ids) {}

    /**
     * Tokenizes and checks every input before any detection, so a bad item fails the request whole.
     *
     * @throws Problem text-too-short (422) naming the index, invalid-request for ids outside the
     *     vocabulary, vocab-mismatch for text under an {@code hf-kgw} spec that cannot fit the tokenizer
     */
    public List<int[]> prepare(List<Input> inputs, KeyStore.Family family) {
        List<String> texts = new ArrayList<>();
        for (Input in : inputs) {
            if (in.text() != null) {
                texts.add(in.text());
            }
        }
        if (!texts.isEmpty()) {
            family.checkText(tokenizer.vocabularySize());
        }
        int[][] encoded = texts.isEmpty() ? new int[0][] : tokenizer.encodeBatch(texts);
        List<int[]> out = new ArrayList<>(inputs.size());
        int ti = 0;
        int vocab = family.idLimit(tokenizer.vocabularySize());
        String vocabName = family.idLimitName(vocab);
        int need = Math.max(minTokens, family.maxContextWidth() + 1);
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            int[] ids;
            if (in.text() != null) {
                ids = encoded[ti++];
                if (in.text().isBlank()) {
                    throw Problem.textTooShort("text " + i + " is empty (or only whitespace): nothing to test");
                }
            } else {
                ids = in.ids();
                for (int j = 0; j < ids.length; j++) {
                    if (ids[j] < 0 || ids[j] >= vocab) {
                        throw (family.hfKgw() != null ? Problem.vocabMismatch("ids " + i + ": token id " + ids[j]
                                + " at position " + j + " is outside " + vocabName + " [0, " + vocab + ") of "
                                + family.hfKgw() + ": the ids come from another vocabulary, or the spec's vocab is wrong")
                                : Problem.invalid("ids " + i + ": token id " + ids[j] + " at position " + j
                                + " is outside " + vocabName + " [0, " + vocab + ")")).with("index", i);
                    }
                }
                if (ids.length == 0) {
                    throw Problem.textTooShort("ids " + i + " is empty: nothing to test");
                }
            }
            if (ids.length < need) {
                throw Problem.textTooShort((in.text() != null ? "text " : "ids ") + i + " has " + ids.length
                        + " token" + (ids.length == 1 ? "" : "s") + "; at least " + need
                        + " are needed for a meaningful test (minimum configured: " + minTokens + ")")
                        .with("index", i).with("tokens", ids.length).with("min_tokens", need);
            }
            out.add(ids);
        }
        return out;
    }

    /**
     * Detects one token sequence against every key of the family.
     *
     * @param admin include per-token scores if asked, exact numbers; otherwise quantised numbers only
     */
    public ObjectNode detect(int index, int[] ids, String text, KeyStore.Family family, double alpha,
            boolean localize, boolean tokenScores, boolean admin) {
        List<KeyedScheme> keys = family.keyed();
        DetectOptions opts = DetectOptions.defaults().withAlpha(alpha).withTokenScores(tokenScores && admin);
        // one family per document: keys x (whole text + windows when localising), one alpha
        DocumentFamily.Result fam = DocumentFamily.of(keys).detect(ids, opts, localize);
        List<DetectionResult> raw = new ArrayList<>(keys.size());
        List<DetectionResult> adjusted = new ArrayList<>(keys.size());
        for (DocumentFamily.KeyResult k : fam.keys()) {
            raw.add(k.raw());
            adjusted.add(k.adjusted());
        }
        ObjectNode o = F.objectNode();
        o.put("index", index);
        o.put("tokens", ids.length);
        ArrayNode results = o.putArray("results");
        for (int i = 0; i < raw.size(); i++) {
            ObjectNode j = DetectionJson.toJson(adjusted.get(i), tokenScores && admin);
            ScanReports.putFinite(j, "log10_p_unadjusted", raw.get(i).log10P());
            j.put("p_value_unadjusted", raw.get(i).pValue());
            j.put("label", family.label(i));
            results.add(Evidence.view(j, admin));
        }
        ArrayNode det = o.putArray("detected_key_ids");
        boolean any = false;
        for (DetectionResult d : adjusted) {
            if (d.watermarked()) {
                any = true;
                if (d.keyId() != null) {
                    det.add(d.keyId());
                }
            }
        }
        o.put("verdict", any ? "watermarked" : "no_watermark_detected");
        if (localize) {
            int[] offsets = text != null ? Evidence.charOffsets(tokenizer, ids) : null;
            ArrayNode spans = o.putArray("spans");
            for (int i = 0; i < keys.size(); i++) {
                KeyedScheme k = keys.get(i);
                for (WindowedDetector.Span w : fam.keys().get(i).spans()) {
                    // log10P is already adjusted for the whole family
                    Evidence.Span sp = new Evidence.Span(k.keyId(), k.scheme().toString(), w.start(), w.end(),
                            offsets == null ? -1 : offsets[w.start()], offsets == null ? -1 : offsets[w.end()],
                            w.log10P());
                    ArrayNode one = F.arrayNode();
                    Evidence.putSpans(one, List.of(sp));
                    spans.add(Evidence.view((ObjectNode) one.get(0), admin));
                }
            }
            if (tokenScores && admin && offsets != null) {
                ArrayNode to = o.putArray("token_offsets");
                for (int x : offsets) {
                    to.add(x);
                }
            }
        }
        return o;
    }
}
