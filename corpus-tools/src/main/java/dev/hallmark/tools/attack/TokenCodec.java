package dev.hallmark.tools.attack;

import dev.hallmark.text.TextTokenizer;

/** Text to token ids and back: what the attack chain needs from a tokenizer. */
public interface TokenCodec {

    int[] encode(String text);

    String decode(int[] ids);

    /** A codec over a tokenizer of either engine (not closed by the codec). */
    static TokenCodec of(TextTokenizer tokenizer) {
        return new TokenCodec() {
            @Override
            public int[] encode(String text) {
                return tokenizer.encode(text);
            }

            @Override
            public String decode(int[] ids) {
                return tokenizer.decode(ids, 0, ids.length);
            }
        };
    }
}
