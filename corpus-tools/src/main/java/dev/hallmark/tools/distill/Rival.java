package dev.hallmark.tools.distill;

import dev.hallmark.tools.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the rival owns besides the harvest, built once per experiment: its reference models (n-grams
 * of the human text, never watermarked; order n + 1 against a watermark of context width n) and the
 * held-out human text the students' quality is measured on.
 */
final class Rival {

    /** Held-out tokens read for perplexity. */
    static final int HELDOUT_TOKENS = 50_000;

    private static final Map<DistillInputs, Rival> BY_INPUTS = new IdentityHashMap<>();

    private final DistillInputs in;
    private final Map<Integer, NgramModel> references = new java.util.HashMap<>();
    final List<int[]> heldout;

    private Rival(DistillInputs in, List<int[]> heldout) {
        this.in = in;
        this.heldout = heldout;
    }

    /** The reference model for a watermark of context width {@code n}: an order-(n + 1) n-gram of the human text. */
    synchronized NgramModel reference(int n) {
        return references.computeIfAbsent(n + 1, k -> NgramModel.fit(in.human(), in.vocab(), k));
    }

    /** The rival of this experiment's inputs (built on first use). */
    static synchronized Rival of(DistillConfig cfg, DistillInputs in) {
        return BY_INPUTS.computeIfAbsent(in, k -> {
            List<int[]> held = new ArrayList<>();
            int n = 0;
            List<String> texts = cfg.human().heldout() == null ? List.of()
                    : Jsonl.readField(Path.of(cfg.human().heldout()), "text");
            for (String t : texts) {
                if (n >= HELDOUT_TOKENS) {
                    break;
                }
                int[] ids = in.tokenizer().encode(t);
                if (ids.length > HELDOUT_TOKENS - n) {
                    ids = java.util.Arrays.copyOf(ids, HELDOUT_TOKENS - n);
                }
                held.add(ids);
                n += ids.length;
            }
            return new Rival(in, List.copyOf(held));
        });
    }
}
