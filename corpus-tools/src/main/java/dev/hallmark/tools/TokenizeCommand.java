package dev.hallmark.tools;

import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import dev.hallmark.text.Tokenizers;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark tokenize}: token ids of every document of a file, one {@code {"ids": [...]}} line
 * per document, with either engine, so that the two can be compared byte for byte
 * ({@code cmp fast.jsonl hf.jsonl}) and timed as whole processes.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Tokenize every document of a file and write one {\"ids\": [...]} JSON line per document.",
            "--engine fast (pure-Java byte-level BPE) and --engine hf (Hugging Face tokenizers through DJL)",
            "give identical ids; compare their outputs with cmp. No special tokens are added, nothing is truncated."})
final class TokenizeCommand implements Callable<Integer> {

    /** Documents are tokenized in batches of at most this many chars (each engine spreads a batch over cores). */
    static final long BATCH_CHARS = 4L << 20;
    static final int BATCH_DOCS = 4096;

    @Spec
    CommandSpec spec;

    @Option(names = "--engine", defaultValue = "fast", description = "fast | hf (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--input", required = true, description = "Input file (.gz is decompressed).")
    Path input;

    @Option(names = "--format", defaultValue = "jsonl",
            description = "jsonl (one JSON object per line, text in --field) | text (the whole file is one document) "
                    + "(default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--field", defaultValue = "text", description = "JSONL field holding the text (default: ${DEFAULT-VALUE}).")
    String field;

    @Option(names = "--out", required = true, description = "Output JSONL file of ids (.gz is compressed).")
    Path out;

    @Option(names = "--tokenizer", description = "tokenizer.json (default: the Qwen3 tokenizer in the Hallmark cache).")
    Path tokenizer;

    @Override
    public Integer call() throws Exception {
        TokenizerEngine eng = TokenizerEngine.parse(engine);
        InputRecords.Format fmt = InputRecords.parseFormat(format);
        if (fmt == InputRecords.Format.IDS) {
            throw new IllegalArgumentException("--format ids holds no text to tokenize (use jsonl or text)");
        }
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("input " + input + ": no such file");
        }
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        long docs = 0;
        long tokens = 0;
        long chars = 0;
        Progress progress = new Progress("tokenize (" + eng.id() + ") documents", -1, err);
        Path tokFile = tokenizer != null ? tokenizer : Defaults.tokenizerPath();
        // the fast engine caches its compiled form in the Hallmark cache: later runs skip the JSON parse
        try (TextTokenizer tok = eng.open(tokFile, Defaults.cacheDir().resolve("fastbpe"));
                InputRecords in = InputRecords.open(input, fmt, field, field);
                BufferedWriter w = writer(out)) {
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            List<String> batch = new ArrayList<>();
            long batchChars = 0;
            StringBuilder line = new StringBuilder(1 << 16);
            while (true) {
                boolean more = in.hasNext();
                if (more) {
                    InputRecords.Record r = in.next();
                    if (r.text() == null) {
                        throw new IllegalArgumentException("input " + input + " line " + r.line() + ": \"" + field
                                + "\" is not a string");
                    }
                    batch.add(r.text());
                    batchChars += r.text().length();
                }
                if (!batch.isEmpty() && (!more || batchChars >= BATCH_CHARS || batch.size() >= BATCH_DOCS)) {
                    int[][] ids = tok.encodeBatch(batch);
                    for (int[] doc : ids) {
                        line.setLength(0);
                        line.append("{\"ids\": [");
                        for (int i = 0; i < doc.length; i++) {
                            if (i > 0) {
                                line.append(", ");
                            }
                            line.append(doc[i]);
                        }
                        line.append("]}\n");
                        w.append(line);
                        tokens += doc.length;
                    }
                    docs += batch.size();
                    chars += batchChars;
                    progress.step(batch.size());
                    batch.clear();
                    batchChars = 0;
                }
                if (!more) {
                    break;
                }
            }
            progress.done();
            double secs = (System.nanoTime() - start) / 1e9;
            err.println(String.format(Locale.ROOT, "tokenize: engine %s, %d documents, %d chars, %d tokens -> %s "
                    + "(%.2f s, of which %.2f s loading the tokenizer)", eng.id(), docs, chars, tokens, out, secs, loadSeconds));
            err.flush();
        }
        return 0;
    }

    private static BufferedWriter writer(Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream os = Files.newOutputStream(out);
        if (out.getFileName().toString().endsWith(".gz")) {
            os = new GZIPOutputStream(os, 1 << 16);
        }
        return new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
    }
}
