package dev.hallmark.text;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The differential test at scale: about 60 MB of varied text (see {@link TestCorpus}: English
 * prose, Java and Python source, man pages in six languages, Chinese, Russian and German fortunes,
 * Japanese dictionary entries, Arabic / Hebrew / Korean / Malayalam word lists, Markdown, JSON and
 * synthetic numbers, whitespace runs, emoji, combining stacks, bidi controls, controls and very long
 * words), every document tokenized by both engines, ids compared. Prints sizes and each engine's
 * time (HF on all cores through its batch call, fast on one thread).
 */
class FastBpeCorpusTest {

    @Test
    void sixtyMegabytesOfVariedTextGiveIdenticalIds() {
        TestCorpus corpus = TestCorpus.assemble();
        long total = corpus.totalBytes();
        for (Map.Entry<String, Long> e : corpus.bytesBySource().entrySet()) {
            System.out.printf(Locale.ROOT, "  %-16s %6.2f MB%n", e.getKey(), e.getValue() / 1e6);
        }
        assertTrue(total >= 50_000_000L, "the corpus must hold at least 50 MB of UTF-8, has " + total);
        List<TestCorpus.Doc> docs = corpus.docs();
        List<String> failures = new ArrayList<>();
        long hfNanos = 0;
        long fastNanos = 0;
        try (FastBpeTokenizer fast = FastBpeTokenizer.open(Tokenizers.locate(System::getProperty, System::getenv).path());
                HfTokenizer hf = HfTokenizer.open(Tokenizers.locate(System::getProperty, System::getenv).path())) {
            int from = 0;
            while (from < docs.size()) {
                int to = from;
                long chars = 0;
                while (to < docs.size() && chars < 2_000_000) {
                    chars += docs.get(to++).text().length();
                }
                List<String> texts = new ArrayList<>();
                docs.subList(from, to).forEach(d -> texts.add(d.text()));
                long t0 = System.nanoTime();
                int[][] h = hf.encodeBatch(texts);
                long t1 = System.nanoTime();
                int[][] f = new int[texts.size()][];
                for (int i = 0; i < f.length; i++) {
                    f[i] = fast.encode(texts.get(i));
                }
                long t2 = System.nanoTime();
                hfNanos += t1 - t0;
                fastNanos += t2 - t1;
                for (int i = 0; i < f.length && failures.size() < 10; i++) {
                    if (!java.util.Arrays.equals(f[i], h[i])) {
                        try (Differential d = Differential.qwen3()) {
                            failures.add(docs.get(from + i).label() + ": " + d.compareIds(texts.get(i)));
                        }
                    }
                }
                from = to;
            }
        }
        System.out.printf(Locale.ROOT, "differential corpus: %d documents, %.1f MB; HF (batch, all cores) %.1f s = %.2f MB/s, "
                + "fast (one thread) %.1f s = %.2f MB/s%n", docs.size(), total / 1e6, hfNanos / 1e9, total / 1e6 / (hfNanos / 1e9),
                fastNanos / 1e9, total / 1e6 / (fastNanos / 1e9));
        if (!failures.isEmpty()) {
            fail(failures.size() + " documents tokenize differently:\n" + String.join("\n", failures));
        }
    }
}
