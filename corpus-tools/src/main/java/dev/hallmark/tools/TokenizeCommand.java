package dev.hallmark.tools;

import dev.hallmark.text.TextTokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark tokenize}: token ids of every document of a file, one {@code {"ids": [...]}} line
 * per document, with either engine, so that the two can be compared byte for byte
 * ({@code cmp fast.jsonl hf.jsonl}) and timed as whole processes. Plain JSONL is read with Jackson's
 * streaming parser ({@link JsonlTexts}) and the ids are written as bytes: a small run's time is then
 * mostly the tokenizer's, not the object mapper's start-up or character encoding.
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

    @Mixin
    TokenizerOption tokenizer;

    @Option(names = "--input", required = true, description = "Input file (.gz is decompressed).")
    Path input;

    @Option(names = "--format", defaultValue = "jsonl",
            description = "jsonl (one JSON object per line, text in --field) | text (the whole file is one document) "
                    + "| auto | chat | csv | tsv | parquet (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--field", defaultValue = "text", description = "JSONL field holding the text (default: ${DEFAULT-VALUE}).")
    String field;

    @Option(names = "--out", required = true, description = "Output JSONL file of ids (.gz is compressed).")
    Path out;

    @Override
    public Integer call() throws Exception {
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
        Progress progress = new Progress("tokenize (" + tokenizer.engine().id() + ") documents", -1, err);
        // the fast engine loads its compiled form from the Hallmark cache (written by the first run)
        try (TextTokenizer tok = tokenizer.open();
                Texts in = texts(fmt);
                IdsWriter w = new IdsWriter(output(out))) {
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            List<String> batch = new ArrayList<>();
            long batchChars = 0;
            while (true) {
                String text = in.next();
                if (text != null) {
                    batch.add(text);
                    batchChars += text.length();
                }
                if (!batch.isEmpty() && (text == null || batchChars >= BATCH_CHARS || batch.size() >= BATCH_DOCS)) {
                    for (int[] doc : tok.encodeBatch(batch)) {
                        w.write(doc);
                        tokens += doc.length;
                    }
                    docs += batch.size();
                    chars += batchChars;
                    progress.step(batch.size());
                    batch.clear();
                    batchChars = 0;
                }
                if (text == null) {
                    break;
                }
            }
            progress.done();
            w.close();
            double secs = (System.nanoTime() - start) / 1e9;
            err.println(String.format(Locale.ROOT, "tokenize: engine %s, %d documents, %d chars, %d tokens -> %s "
                    + "(%.2f s, of which %.2f s loading the tokenizer)", tok.engine().id(), docs, chars, tokens, out,
                    secs, loadSeconds));
            err.flush();
        }
        return 0;
    }

    /** The documents' texts in order; null at the end. */
    private interface Texts extends AutoCloseable {
        String next();

        @Override
        void close() throws IOException;
    }

    private Texts texts(InputRecords.Format fmt) throws IOException {
        if (fmt == InputRecords.Format.JSONL && !field.contains(".")) {
            JsonlTexts j = new JsonlTexts(input, field);
            return new Texts() {
                @Override
                public String next() {
                    return j.next();
                }

                @Override
                public void close() throws IOException {
                    j.close();
                }
            };
        }
        InputRecords r = InputRecords.open(input, fmt, field, field);
        return new Texts() {
            @Override
            public String next() {
                if (!r.hasNext()) {
                    return null;
                }
                InputRecords.Record rec = r.next();
                if (rec.text() == null) {
                    throw new IllegalArgumentException("input " + input + " line " + rec.line() + ": \"" + field
                            + "\" is not a string");
                }
                return rec.text();
            }

            @Override
            public void close() throws IOException {
                r.close();
            }
        };
    }

    private static OutputStream output(Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream os = Files.newOutputStream(out);
        return out.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(os, 1 << 16) : os;
    }

    /** Writes {@code {"ids": [1, 2, 3]}} lines as ASCII bytes into a 64 KiB buffer (no chars, no encoder). */
    static final class IdsWriter implements AutoCloseable {
        private static final byte[] HEAD = {'{', '"', 'i', 'd', 's', '"', ':', ' ', '['};
        private static final byte[] TAIL = {']', '}', '\n'};

        private final OutputStream out;
        private final byte[] buf = new byte[1 << 16];
        private int n;
        private boolean closed;

        IdsWriter(OutputStream out) {
            this.out = out;
        }

        void write(int[] ids) throws IOException {
            put(HEAD);
            for (int i = 0; i < ids.length; i++) {
                if (n > buf.length - 16) {
                    flushBuffer();
                }
                if (i > 0) {
                    buf[n++] = ',';
                    buf[n++] = ' ';
                }
                n = digits(ids[i], buf, n);
            }
            put(TAIL);
        }

        private void put(byte[] b) throws IOException {
            if (n > buf.length - b.length) {
                flushBuffer();
            }
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        /** Decimal digits of {@code v} (token ids are never negative, but a sign is written if one is). */
        static int digits(int v, byte[] b, int at) {
            long x = v;
            if (x < 0) {
                b[at++] = '-';
                x = -x;
            }
            int len = 1;
            for (long p = 10; p <= x; p *= 10) {
                len++;
            }
            for (int i = at + len - 1; i >= at; i--) {
                b[i] = (byte) ('0' + x % 10);
                x /= 10;
            }
            return at + len;
        }

        private void flushBuffer() throws IOException {
            out.write(buf, 0, n);
            n = 0;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                try {
                    flushBuffer();
                } finally {
                    out.close();
                }
            }
        }
    }
}
