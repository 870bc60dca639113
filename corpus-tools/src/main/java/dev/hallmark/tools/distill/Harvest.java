package dev.hallmark.tools.distill;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The harvesting side: the prompts the harvesting accounts send to the teacher (cut from human
 * text) and how what they collected enters a student's training data (the mix at watermarked
 * fraction rho).
 */
final class Harvest {

    static final int PROMPT_WORDS = 24;
    static final int PROMPT_FOLLOW = 40;
    static final int PROMPTS_PER_DOC = 4;

    private Harvest() {
    }

    /**
     * Harvest prompts: the first {@value #PROMPT_WORDS} words from line starts of the human
     * training documents (a start is used when {@value #PROMPT_FOLLOW} more words follow; up to
     * {@value #PROMPTS_PER_DOC} starts per document, spread evenly), in a seeded random order.
     */
    static List<String> prompts(List<String> texts, long seed) {
        List<String> prompts = new ArrayList<>();
        for (String t : texts) {
            List<Integer> starts = new ArrayList<>();
            for (int i = 0; i < t.length(); i++) {
                if ((i == 0 || t.charAt(i - 1) == '\n') && !Character.isWhitespace(t.charAt(i))
                        && wordsFrom(t, i, PROMPT_WORDS + PROMPT_FOLLOW) >= PROMPT_WORDS + PROMPT_FOLLOW) {
                    starts.add(i);
                }
            }
            int k = Math.min(PROMPTS_PER_DOC, starts.size());
            for (int j = 0; j < k; j++) {
                int s = starts.get(j * starts.size() / k);
                prompts.add(t.substring(s, endOfWords(t, s, PROMPT_WORDS)));
            }
        }
        Pipeline.shuffle(prompts, new SplittableRandom(seed));
        return prompts;
    }

    /** Whitespace-separated words from {@code from}, counting at most {@code cap}. */
    private static int wordsFrom(String t, int from, int cap) {
        int n = 0;
        boolean in = false;
        for (int i = from; i < t.length() && n < cap; i++) {
            boolean ws = Character.isWhitespace(t.charAt(i));
            if (!ws && !in) {
                n++;
            }
            in = !ws;
        }
        return n;
    }

    /** The end index of the first {@code words} words from {@code from}. */
    private static int endOfWords(String t, int from, int words) {
        int n = 0;
        int i = from;
        while (i < t.length()) {
            while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            if (i >= t.length()) {
                break;
            }
            while (i < t.length() && !Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            if (++n == words) {
                break;
            }
        }
        return i;
    }

    /**
     * A student's training data: the run's harvest (the completions served through its first
     * {@code harvesters} accounts; none from an unwatermarked corpus) mixed with human text at
     * watermarked fraction {@code rho}, seeded by the student's label.
     */
    static Pipeline.Mix trainingMix(DistillConfig cfg, DistillInputs in, TeacherCorpora corpora, Student student) {
        DistillConfig.Run r = student.run();
        DistillConfig.Corpus corpus = cfg.corpus(r.corpus());
        long[] mixFrom = corpus.schemeOrNull() == null ? new long[0] : student.harvesters(in);
        List<Pipeline.TeacherDoc> harvest = corpora.docs(r.corpus());
        RemovalAttacks.Attack attack = RemovalAttacks.Attack.parse(r.attack());
        if (attack.kind().equals("paraphrase")) {
            // the rival rewrites its harvest before training (targeted paraphrase)
            List<int[]> texts = new ArrayList<>();
            harvest.forEach(d -> texts.add(d.completion()));
            long[] counts = new long[2];
            int n = Math.max(1, Math.min(2, dev.hallmark.scheme.Scheme.parse(cfg.schemeOf(r)).contextWidth()));
            List<int[]> rewritten = RemovalAttacks.paraphrase(texts, Rival.of(cfg, in).reference(n), attack.strength(),
                    in.vocab(), new SplittableRandom(DistillInputs.seed(cfg, "paraphrase/" + student.seedLabel())), counts);
            List<Pipeline.TeacherDoc> out = new ArrayList<>();
            for (int i = 0; i < harvest.size(); i++) {
                Pipeline.TeacherDoc d = harvest.get(i);
                out.add(new Pipeline.TeacherDoc(d.prompt(), rewritten.get(i), d.account()));
            }
            harvest = out;
        }
        return Pipeline.mix(harvest, mixFrom, in.human(), student.rho(), r.trainTokens(),
                new SplittableRandom(DistillInputs.seed(cfg, "mix/" + student.seedLabel())));
    }
}
