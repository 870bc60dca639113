package dev.hallmark.tools.distill;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.Jsonl;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What every stage of a distillation experiment reads: the tokenizer, the lab (master key and the
 * harvesting accounts), the human text (tokenized once and cached in the work directory) and the
 * fresh prompts the students answer. Built by {@link #load}; never changed afterwards.
 *
 * @param tokenizer the tokenizer (owned by the caller)
 * @param vocab its vocabulary size
 * @param eos the end-of-text id
 * @param master the lab's master key
 * @param harvesters the harvesting accounts, in the order corpora and runs take them
 * @param humanTexts the human documents as text
 * @param human the human documents as token ids (up to {@code human.max_tokens} tokens)
 * @param freshPrompts the students' prompts (never used in the harvest)
 */
record DistillInputs(TextTokenizer tokenizer, int vocab, int eos, WatermarkKey master, long[] harvesters,
        List<String> humanTexts, List<int[]> human, List<int[]> freshPrompts) {

    /** Reads (or, first time, tokenizes and caches in {@code work}) everything the stages share. */
    static DistillInputs load(DistillConfig cfg, Path work, TextTokenizer tokenizer, PrintWriter err) throws IOException {
        int vocab = tokenizer.vocabularySize();
        int eos = Tokenizers.QWEN3_END_OF_TEXT < vocab ? Tokenizers.QWEN3_END_OF_TEXT : vocab - 1;
        WatermarkKey master = Pipeline.simulatedKey("master/" + cfg.lab().masterSeed());
        long[] harvesters = Pipeline.drawAccounts(cfg.lab().harvesters(), cfg.lab().accounts(),
                new SplittableRandom(seed(cfg, "harvesting-accounts")));
        err.printf(Locale.ROOT, "distill: lab master key %s, %d accounts, harvesting accounts %s%n", master.id(),
                cfg.lab().accounts(), Arrays.toString(harvesters));
        Path src = Path.of(cfg.human().path());
        List<String> humanTexts = Jsonl.readField(src, "text");
        List<int[]> human = loadHuman(cfg, work, tokenizer, vocab, src, humanTexts, err);
        List<String> prompts = Jsonl.readField(Path.of(cfg.suspect().prompts()), "prompt");
        List<int[]> freshPrompts = List.of(tokenizer.encodeBatch(prompts));
        err.printf(Locale.ROOT, "distill: %,d fresh prompts for students (never used in the harvest)%n",
                freshPrompts.size());
        return new DistillInputs(tokenizer, vocab, eos, master, harvesters, humanTexts, human, freshPrompts);
    }

    private static List<int[]> loadHuman(DistillConfig cfg, Path work, TextTokenizer tokenizer, int vocab, Path src,
            List<String> texts, PrintWriter err) throws IOException {
        String sig = src.toAbsolutePath().normalize() + "|" + Files.size(src) + "|" + cfg.human().maxTokens() + "|"
                + tokenizer.path() + "|" + vocab;
        Path cache = work.resolve("human-" + Long.toHexString(sha256Long(sig)) + ".ids");
        List<int[]> human;
        if (Files.exists(cache)) {
            human = TeacherStore.readIds(cache);
        } else {
            err.println("distill: tokenizing human text " + src);
            err.flush();
            int[][] enc = tokenizer.encodeBatch(texts);
            human = new ArrayList<>();
            long n = 0;
            for (int[] e : enc) {
                if (n >= cfg.human().maxTokens()) {
                    break;
                }
                human.add(e);
                n += e.length;
            }
            TeacherStore.writeIds(cache, human);
        }
        long n = 0;
        for (int[] d : human) {
            n += d.length;
        }
        err.printf(Locale.ROOT, "distill: human text %,d documents, %,d tokens%n", human.size(), n);
        return human;
    }

    /** The seed of one random purpose ({@code label}) of the experiment: SHA-256 of the config's seed and the label. */
    static long seed(DistillConfig cfg, String label) {
        return sha256Long(cfg.seed() + "/" + label);
    }

    /** The first 8 bytes of the SHA-256 of {@code s} (UTF-8), big-endian. */
    static long sha256Long(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SHA-256 of a file, in hex. */
    static String sha256Hex(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) > 0) {
                md.update(buf, 0, r);
            }
            StringBuilder sb = new StringBuilder();
            for (byte b : md.digest()) {
                sb.append(String.format(Locale.ROOT, "%02x", b));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
