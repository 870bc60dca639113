package dev.hallmark.tools.attack;

import dev.hallmark.text.HfTokenizer;

/** Text to token ids and back: what the attack chain needs from a tokenizer. */
public interface TokenCodec {

    int[] encode(String text);

    String decode(int[] ids);

    /** A codec over a Hugging Face tokenizer (not closed by the codec). */
    static TokenCodec of(HfTokenizer tokenizer) {
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
