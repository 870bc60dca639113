package dev.hallmark.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the fast tokenizer and DJL's HF tokenizer side by side on the same file and describes the
 * first difference: ids (what the contract is about) and, where asked, HF's word ids (which
 * pre-token each id came from), so that a pre-tokenizer difference shows even where BPE would hide it.
 */
final class Differential implements AutoCloseable {

    final FastBpeTokenizer fast;
    final HfTokenizer hf;
    private final HuggingFaceTokenizer raw;

    private Differential(FastBpeTokenizer fast, HfTokenizer hf, HuggingFaceTokenizer raw) {
        this.fast = fast;
        this.hf = hf;
        this.raw = raw;
    }

    static Differential open(Path tokenizerJson) {
        try {
            return new Differential(FastBpeTokenizer.open(tokenizerJson), HfTokenizer.open(tokenizerJson),
                    HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("addSpecialTokens", "false",
                            "truncation", "false", "padding", "false", "modelMaxLength", "100000000")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Differential qwen3() {
        return open(Tokenizers.locate(System::getProperty, System::getenv).path());
    }

    /** Null if both engines give the same ids, else a description of the first difference. */
    String compareIds(String text) {
        return describe(text, fast.encode(text), hf.encode(text), null, null);
    }

    /** Like {@link #compareIds} but also compares HF's word ids with the fast engine's split indices. */
    String compareSplits(String text) {
        int[][] f = fast.encodeWithSplits(text);
        int[][] h = hfWithWords(text);
        return describe(text, f[0], h[0], f[1], h[1]);
    }

    /** Ids and word ids from HF. */
    int[][] hfWithWords(String text) {
        if (text.isEmpty()) {
            return new int[][] {new int[0], new int[0]};
        }
        long enc = TokenizersLibrary.LIB.encode(raw.getHandle(), text, false);
        try {
            long[] ids = TokenizersLibrary.LIB.getTokenIds(enc);
            long[] words = TokenizersLibrary.LIB.getWordIds(enc);
            return new int[][] {toInts(ids), toInts(words)};
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(enc);
        }
    }

    /**
     * Compares a batch (HF through its batch call, fast one by one); returns descriptions of up to
     * {@code maxReports} differing texts, each prefixed with its label.
     */
    List<String> compareBatch(List<String> texts, List<String> labels, int maxReports) {
        int[][] h = hf.encodeBatch(texts);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < texts.size() && out.size() < maxReports; i++) {
            String d = describe(texts.get(i), fast.encode(texts.get(i)), h[i], null, null);
            if (d != null) {
                out.add(labels.get(i) + ": " + d);
            }
        }
        return out;
    }

    private String describe(String text, int[] f, int[] h, int[] fw, int[] hw) {
        boolean same = Arrays.equals(f, h) && (fw == null || Arrays.equals(fw, hw));
        if (same) {
            return null;
        }
        int i = 0;
        while (i < f.length && i < h.length && f[i] == h[i] && (fw == null || fw[i] == hw[i])) {
            i++;
        }
        int from = Math.max(0, i - 3);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "first difference at id %d of %d (fast) / %d (hf)%n", i, f.length, h.length));
        b.append("  fast ids ").append(window(f, from, i + 4)).append(fw == null ? "" : " words " + window(fw, from, i + 4))
                .append(" = ").append(tokens(f, from, i + 4)).append('\n');
        b.append("  hf   ids ").append(window(h, from, i + 4)).append(hw == null ? "" : " words " + window(hw, from, i + 4))
                .append(" = ").append(tokens(h, from, i + 4)).append('\n');
        b.append("  text (").append(text.length()).append(" chars): ")
                .append(escape(text.length() <= 300 ? text : hf.decode(h, from, Math.min(h.length, i + 8) - from)));
        return b.toString();
    }

    private static String window(int[] a, int from, int to) {
        return Arrays.toString(Arrays.copyOfRange(a, Math.min(from, a.length), Math.min(to, a.length)));
    }

    private String tokens(int[] ids, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int k = from; k < Math.min(to, ids.length); k++) {
            b.append('[').append(escape(hf.decode(ids, k, 1))).append(']');
        }
        return b.toString();
    }

    /** Java-escaped text: non-printable-ASCII chars as backslash-u escapes. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                b.append(c);
            } else {
                b.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            }
        }
        return b.toString();
    }

    private static int[] toInts(long[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (int) a[i];
        }
        return out;
    }

    @Override
    public void close() {
        fast.close();
        hf.close();
        raw.close();
    }
}
