package dev.hallmark.tools.distill;

import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.Tokenizers;

/**
 * Text to token ids and back, for the HTTP distillation story: the servers receive and answer
 * text, and every party (students, the analyst) tokenizes what it got.
 */
public interface Codec {

    int[] encode(String text);

    String decode(int[] ids, int off, int len);

    int vocabularySize();

    /** Ids that end a completion (end of text), maybe none. */
    int[] stopIds();

    /** The end-of-text id documents are joined with when training a neural student. */
    int endOfText();

    /** The Qwen3 tokenizer (or any HF tokenizer; end of text is Qwen3's when the vocabulary has it). */
    static Codec of(TextTokenizer tok) {
        int eos = Tokenizers.QWEN3_END_OF_TEXT < tok.vocabularySize() ? Tokenizers.QWEN3_END_OF_TEXT
                : tok.vocabularySize() - 1;
        return new Codec() {
            @Override
            public int[] encode(String text) {
                return tok.encode(text);
            }

            @Override
            public String decode(int[] ids, int off, int len) {
                return tok.decode(ids, off, len);
            }

            @Override
            public int vocabularySize() {
                return tok.vocabularySize();
            }

            @Override
            public int[] stopIds() {
                return new int[] {eos};
            }

            @Override
            public int endOfText() {
                return eos;
            }
        };
    }

    /**
     * A word codec over ids {@code 0 .. vocabulary-1}: id i is the word {@code " w<i>"}; encoding
     * splits on whitespace. Exactly reversible; for miniature runs on synthetic languages.
     */
    static Codec words(int vocabulary) {
        return new Codec() {
            @Override
            public int[] encode(String text) {
                String t = text.strip();
                if (t.isEmpty()) {
                    return new int[0];
                }
                String[] w = t.split("\\s+");
                int[] out = new int[w.length];
                for (int i = 0; i < w.length; i++) {
                    int id;
                    try {
                        id = w[i].startsWith("w") ? Integer.parseInt(w[i].substring(1)) : -1;
                    } catch (NumberFormatException e) {
                        id = -1;
                    }
                    if (id < 0 || id >= vocabulary) {
                        throw new IllegalArgumentException("not a word of the " + vocabulary + "-word codec: '" + w[i] + "'");
                    }
                    out[i] = id;
                }
                return out;
            }

            @Override
            public String decode(int[] ids, int off, int len) {
                StringBuilder sb = new StringBuilder();
                for (int i = off; i < off + len; i++) {
                    sb.append(" w").append(ids[i]);
                }
                return sb.toString();
            }

            @Override
            public int vocabularySize() {
                return vocabulary;
            }

            @Override
            public int[] stopIds() {
                return new int[0];
            }

            @Override
            public int endOfText() {
                return vocabulary - 1;
            }
        };
    }
}
