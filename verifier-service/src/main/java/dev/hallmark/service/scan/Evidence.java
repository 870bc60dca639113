package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.WindowedDetector;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.stats.MultipleTesting;
import dev.hallmark.text.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Where in a text the watermark is: localised spans ({@link WindowedDetector} per key, corrected
 * once more with Bonferroni across the keys searched, kept at the caller's alpha) with token and
 * character offsets. What a caller sees of a span or of a per-document result is decided in one
 * place, {@link Disclosure} ({@link Disclosure#spans}, {@link Disclosure#document}).
 */
public final class Evidence {

    private Evidence() {}

    /**
     * A localised span.
     *
     * @param startChar offset into the document's text ({@link #text}); -1 when the document was token ids
     * @param log10p the span's own p-value, corrected for the windows searched and across the keys
     */
    public record Span(String keyId, String scheme, int startToken, int endToken, int startChar, int endChar,
            double log10p) {}

    /**
     * The spans of {@code ids} significant at {@code alpha}, in key then text order.
     *
     * @param offsets character offsets of each token boundary ({@link #charOffsets}), or null for id documents
     */
    public static List<Span> spans(List<KeyedScheme> keys, int[] ids, int[] offsets, double alpha) {
        List<Span> out = new ArrayList<>();
        double logAlpha = Math.log10(alpha);
        for (KeyedScheme k : keys) {
            WindowedDetector.Result w = WindowedDetector.of(k).detect(ids, DetectOptions.defaults().withAlpha(alpha));
            for (WindowedDetector.Span s : w.spans()) {
                // the window search is Bonferroni-corrected within a key; correct again across keys
                double lp = MultipleTesting.bonferroniLog10(s.log10P(), keys.size());
                if (lp > logAlpha) {
                    continue;
                }
                out.add(new Span(k.keyId(), k.scheme().toString(), s.start(), s.end(),
                        offsets == null ? -1 : offsets[s.start()], offsets == null ? -1 : offsets[s.end()], lp));
            }
        }
        return out;
    }

    /** Writes {@code spans} as JSON objects into {@code a} (exact numbers: answers pass them through {@link Disclosure}). */
    public static void putSpans(ArrayNode a, List<Span> spans) {
        for (Span s : spans) {
            ObjectNode sp = a.addObject();
            if (s.keyId() != null) {
                sp.put("key_id", s.keyId());
            }
            sp.put("scheme", s.scheme());
            sp.put("start_token", s.startToken());
            sp.put("end_token", s.endToken());
            if (s.startChar() >= 0) {
                sp.put("start_char", s.startChar());
                sp.put("end_char", s.endChar());
            }
            ScanReports.putFinite(sp, "log10_p", s.log10p());
            sp.put("p_value", Math.pow(10, s.log10p()));
        }
    }

    /**
     * The character offset of every token boundary in {@code tokenizer.decode(ids)}: {@code n + 1}
     * offsets, the last one the decoded length. Tokens are decoded one by one, and in groups where a
     * token ends inside a UTF-8 character; if the pieces do not add up to the whole (a tokenizer
     * whose decoding is not concatenative), each boundary is found by decoding its prefix.
     */
    public static int[] charOffsets(TextTokenizer tokenizer, int[] ids) {
        int n = ids.length;
        int[] off = new int[n + 1];
        int total = tokenizer.decode(ids).length();
        int pos = 0;
        int i = 0;
        while (i < n) {
            int j = i + 1;
            String piece = tokenizer.decode(ids, i, 1);
            while (piece.indexOf('\uFFFD') >= 0 && j < n && j - i < 8) {
                j++;
                piece = tokenizer.decode(ids, i, j - i);
            }
            for (int k = i; k < j; k++) {
                off[k] = pos;
            }
            pos += piece.length();
            i = j;
        }
        off[n] = pos;
        if (pos != total) {
            for (int k = 1; k < n; k++) {
                off[k] = tokenizer.decode(ids, 0, k).length();
            }
            off[n] = total;
        }
        return off;
    }
}
