package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.detect.DocumentFamily;
import dev.hallmark.detect.MultiKeyDetector;
import dev.hallmark.detect.WindowedDetector;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.service.Problem;
import dev.hallmark.service.scan.Disclosure.Audience;
import dev.hallmark.service.store.KeyStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Synchronous detection of short texts against a family of keys: the per-key exact test of the
 * core {@link Detector}, and with localisation the windows of {@link WindowedDetector}, all in ONE
 * family per document with one alpha ({@link DocumentFamily}: weighted Holm over keys x (whole
 * text + windows)); spans carry character offsets ({@link Evidence}); every answer through
 * {@link Disclosure}. For analysts, a text that is a near-duplicate of one the tenant was answered
 * before ({@link ProbeIndex}) is answered with that earlier text's p-values (whole-text tests only,
 * plain Holm across keys, no spans). Thread-safe (the tokenizer and keyed schemes are).
 */
public final class DetectionEngine {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final ChunkedTokenizer tokenizer;
    private final Disclosure disclosure;

    public DetectionEngine(ChunkedTokenizer tokenizer, Disclosure disclosure) {
        this.tokenizer = tokenizer;
        this.disclosure = disclosure;
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
    public List<int[]> prepare(List<Input> inputs, KeyStore.Family family, Audience audience) {
        List<String> texts = new ArrayList<>();
        for (Input in : inputs) {
            if (in.text() != null) {
                texts.add(in.text());
            }
        }
        int vocabSize = tokenizer.tokenizer().vocabularySize();
        if (!texts.isEmpty()) {
            family.checkText(vocabSize);
        }
        int[][] encoded = texts.isEmpty() ? new int[0][] : tokenizer.encodeBatch(texts);
        List<int[]> out = new ArrayList<>(inputs.size());
        int ti = 0;
        int vocab = family.idLimit(vocabSize);
        String vocabName = family.idLimitName(vocab);
        int min = disclosure.minTokens(audience);
        int need = Math.max(min, family.maxContextWidth() + 1);
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
                        + " token" + (ids.length == 1 ? "" : "s") + "; at least " + need + " are needed"
                        + (audience == Audience.ANALYST && min > disclosure.minTokens(Audience.ADMIN)
                        ? " (the minimum for analyst tokens: shorter probes would say too much about single tokens)"
                        : " for a meaningful test (minimum configured: " + min + ")"))
                        .with("index", i).with("tokens", ids.length).with("min_tokens", need);
            }
            out.add(ids);
        }
        return out;
    }

    /** What a request asks of each text. */
    public record Ask(KeyStore.Family family, double alpha, boolean localize, boolean tokenScores, Audience audience) {}

    /**
     * Detects one token sequence against every key of the family.
     *
     * @param earlier for analysts: the answer to an earlier near-duplicate text (its p-values are
     *     reused, no spans are given), or to this text if it is new (its p-values are recorded);
     *     null for admins
     * @param nearDuplicate whether {@code earlier} was found (the text is a near-duplicate)
     */
    public ObjectNode detect(int index, int[] ids, String text, Ask ask, ProbeIndex.Answer earlier,
            boolean nearDuplicate) {
        KeyStore.Family family = ask.family();
        Audience audience = ask.audience();
        List<KeyedScheme> keys = family.keyed();
        boolean tokenScores = ask.tokenScores() && audience == Audience.ADMIN;
        DetectOptions opts = DetectOptions.defaults().withAlpha(ask.alpha()).withTokenScores(tokenScores);
        // one family per document: keys x (whole text + windows when localising), one alpha; a
        // near-duplicate gets no spans, so its windows are not searched
        DocumentFamily.Result fam = DocumentFamily.of(keys).detect(ids, opts, ask.localize() && !nearDuplicate);
        List<DetectionResult> raw = new ArrayList<>(keys.size());
        List<DetectionResult> adjusted = new ArrayList<>(keys.size());
        boolean replaced = false;
        for (int i = 0; i < keys.size(); i++) {
            DetectionResult r = fam.keys().get(i).raw();
            if (earlier != null) {
                // the first answer recorded for this (near-identical) text stands
                double lp = earlier.putIfAbsent(ScanReports.testId(keys.get(i)), r.log10P());
                if (lp != r.log10P()) {
                    r = r.withLog10P(lp);
                    replaced = true;
                }
            }
            raw.add(r);
            adjusted.add(fam.keys().get(i).adjusted());
        }
        if (replaced) {
            // the earlier answer's p-values, Holm across the keys (what the family is without windows)
            adjusted = MultiKeyDetector.adjust(raw).adjusted();
        }
        ObjectNode o = F.objectNode();
        o.put("index", index);
        o.put("tokens", audience == Audience.ADMIN ? ids.length : Disclosure.coarse(ids.length));
        ArrayNode results = o.putArray("results");
        ArrayNode det = F.arrayNode();
        boolean any = false;
        for (int i = 0; i < raw.size(); i++) {
            DetectionResult a = adjusted.get(i);
            ObjectNode j = DetectionJson.toJson(a, tokenScores);
            ScanReports.putFinite(j, "log10_p_unadjusted", raw.get(i).log10P());
            j.put("p_value_unadjusted", raw.get(i).pValue());
            j.put("label", family.label(i));
            results.add(disclosure.result(j, audience));
            if (a.watermarked()) {
                any = true;
                if (a.keyId() != null) {
                    det.add(a.keyId());
                }
            }
        }
        o.set("detected_key_ids", det);
        o.put("verdict", any ? "watermarked" : "no_watermark_detected");
        if (nearDuplicate) {
            o.put("near_duplicate", true);
        }
        if (ask.localize()) {
            int[] offsets = text != null ? Evidence.charOffsets(tokenizer.tokenizer(), ids) : null;
            List<ObjectNode> spans = new ArrayList<>();
            if (!nearDuplicate) {
                List<Evidence.Span> found = new ArrayList<>();
                for (int i = 0; i < keys.size(); i++) {
                    KeyedScheme k = keys.get(i);
                    for (WindowedDetector.Span w : fam.keys().get(i).spans()) {
                        // log10P is already adjusted for the whole family
                        found.add(new Evidence.Span(k.keyId(), k.scheme().toString(), w.start(), w.end(),
                                offsets == null ? -1 : offsets[w.start()], offsets == null ? -1 : offsets[w.end()],
                                w.log10P()));
                    }
                }
                ArrayNode exact = F.arrayNode();
                Evidence.putSpans(exact, found);
                exact.forEach(x -> spans.add((ObjectNode) x));
            }
            ArrayNode sp = o.putArray("spans");
            disclosure.spans(spans, ids.length, offsets == null ? null : t -> offsets[t], ask.alpha(), audience)
                    .forEach(sp::add);
            if (tokenScores && offsets != null) {
                ArrayNode to = o.putArray("token_offsets");
                for (int x : offsets) {
                    to.add(x);
                }
            }
        }
        return o;
    }
}
