package dev.hallmark.tools.bench;

import dev.hallmark.tools.Defaults;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import dev.hallmark.text.Tokenizers;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizer throughput on one thread, both engines in the same run: the pure-Java byte-level BPE
 * ({@code fast}) and Hugging Face tokenizers through DJL ({@code hf}, ids only through the JNI, as
 * {@code HfTokenizer.encode} does), on English prose, Java source and Chinese text (about 1 MB of
 * each, see {@link BenchTexts}). One operation tokenizes the whole sample; the {@code bytes}
 * counter gives UTF-8 bytes per second. Qwen3's tokenizer from the Hallmark cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class TokenizerBench {

    static final long SAMPLE_BYTES = 1 << 20;

    @Param({"prose", "code", "cjk"})
    public String text;

    @Param({"fast", "hf"})
    public String engine;

    private TextTokenizer tokenizer;
    private List<String> docs;
    private long bytes;

    /** UTF-8 bytes tokenized, reported by JMH per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        tokenizer = TokenizerEngine.parse(engine).open(Defaults.tokenizerPath());
        docs = BenchTexts.load(text, SAMPLE_BYTES);
        bytes = BenchTexts.utf8(docs);
    }

    @TearDown(Level.Trial)
    public void close() {
        tokenizer.close();
    }

    /** Tokenizes the whole sample; returns the token count so nothing is optimised away. */
    @Benchmark
    public long tokenize(Bytes counter) {
        long tokens = 0;
        for (String d : docs) {
            tokens += tokenizer.encode(d).length;
        }
        counter.bytes += bytes;
        return tokens;
    }
}
