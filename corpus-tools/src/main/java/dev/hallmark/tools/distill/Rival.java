package dev.hallmark.tools.distill;

import dev.hallmark.tools.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the rival owns besides the harvest, built once per experiment: its reference model (an
 * order-2 n-gram of the human text, never watermarked) and the held-out human text the students'
 * quality is measured on.
 */
final class Rival {

    /** Held-out tokens read for perplexity. */
    static final int HELDOUT_TOKENS = 50_000;

    private static final Map<DistillInputs, Rival> BY_INPUTS = new IdentityHashMap<>();

    final NgramModel reference;
    final List<int[]> heldout;

    private Rival(NgramModel reference, List<int[]> heldout) {
        this.reference = reference;
        this.heldout = heldout;
    }

    /** The rival of this experiment's inputs (built on first use). */
    static synchronized Rival of(DistillConfig cfg, DistillInputs in) {
        return BY_INPUTS.computeIfAbsent(in, k -> {
            List<int[]> held = new ArrayList<>();
            int n = 0;
            for (String t : Jsonl.readField(Path.of(cfg.human().heldout()), "text")) {
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
            return new Rival(NgramModel.fit(in.human(), in.vocab(), 2), List.copyOf(held));
        });
    }
}
