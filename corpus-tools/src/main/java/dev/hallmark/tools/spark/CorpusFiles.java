package dev.hallmark.tools.spark;

import dev.hallmark.corpus.CorpusCounts;
import dev.hallmark.corpus.CorpusException;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.CorpusOptions;
import dev.hallmark.corpus.CorpusReader;
import dev.hallmark.corpus.Document;
import dev.hallmark.corpus.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.input.PortableDataStream;
import scala.Tuple2;

/**
 * The map side of the hallmark-corpus formats: each input file, whole, read by the same
 * {@link CorpusReader} the verifier service reads uploads with (so both score the same documents:
 * chat assistant turns, CSV/TSV columns, Parquet messages columns, gzip or zstd), one task per file.
 * A file on the local file system is read where it is; one on another Hadoop file system is first
 * copied to a temporary local file (Parquet needs random access), deleted once read.
 *
 * <p>Emits one {@link DocBean} per document (text or ids, and the chat role), then one bean with
 * the file's {@link #COUNTS}. A file that cannot be read as asked fails the task with the
 * library's message, which names the file and the record; the job then fails (Spark retries the
 * task first), never reporting a half-read corpus.
 */
final class CorpusFiles implements FlatMapFunction<Tuple2<String, PortableDataStream>, DocBean> {

    private static final long serialVersionUID = 1L;

    /** Layout of a counts bean: records, turns by {@link Role} (in order), then assistant turns made documents. */
    static final int RECORDS = 0;
    static final int TURNS = 1;
    static final int DOCUMENT_TURNS = TURNS + Role.values().length;
    static final int COUNTS = DOCUMENT_TURNS + 1;

    private final CorpusFormat format;
    private final String field;
    private final dev.hallmark.corpus.Turns turns;

    /** @param format the format, or null to detect it per file */
    CorpusFiles(CorpusFormat format, JobSpec spec) {
        this.format = format;
        this.field = spec.textField();
        this.turns = spec.turns();
    }

    @Override
    public Iterator<DocBean> call(Tuple2<String, PortableDataStream> file) throws IOException {
        String name = file._1();
        URI uri = URI.create(name);
        Path local;
        boolean temp = false;
        if ("file".equals(uri.getScheme())) {
            local = Path.of(uri);
        } else {
            local = Files.createTempFile("hallmark-corpus-", ".part");
            temp = true;
            try (InputStream in = file._2().open()) {
                Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(local);
                throw e;
            }
        }
        CorpusOptions o = CorpusOptions.defaults().withFormat(format).withField(field).withTurns(turns);
        CorpusReader r;
        try {
            r = CorpusReader.open(local, o);
        } catch (CorpusException e) {
            if (temp) {
                Files.deleteIfExists(local);
            }
            throw new IllegalArgumentException("input " + name + ": " + e.getMessage(), e);
        }
        return new Docs(name, r, temp ? local : null);
    }

    /** Streams one file's documents, then its counts; closes the reader (and deletes a temporary copy) at the end. */
    private static final class Docs implements Iterator<DocBean> {
        private final String name;
        private final CorpusReader reader;
        private final Path temp;
        private DocBean next;
        private boolean finished;

        Docs(String name, CorpusReader reader, Path temp) {
            this.name = name;
            this.reader = reader;
            this.temp = temp;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (finished) {
                return false;
            }
            try {
                Document d = reader.next();
                DocBean b = new DocBean();
                if (d != null) {
                    b.setText(d.text());
                    b.setIds(d.ids());
                    b.setRole(d.role() == null ? null : d.role().text());
                } else {
                    b.setCounts(counts(reader.counts()));
                    finish();
                }
                next = b;
                return true;
            } catch (CorpusException e) {
                finish();
                throw new IllegalArgumentException("input " + name + ": " + e.getMessage(), e);
            } catch (IOException e) {
                finish();
                throw new UncheckedIOException("input " + name + ": " + e.getMessage(), e);
            }
        }

        @Override
        public DocBean next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            DocBean b = next;
            next = null;
            return b;
        }

        private void finish() {
            finished = true;
            try {
                reader.close();
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("input " + name + ": " + e.getMessage(), e);
            }
        }
    }

    static long[] counts(CorpusCounts c) {
        long[] out = new long[COUNTS];
        out[RECORDS] = c.records();
        for (Role r : Role.values()) {
            out[TURNS + r.ordinal()] = c.turns(r);
        }
        out[DOCUMENT_TURNS] = c.documentTurns(Role.ASSISTANT);
        return out;
    }
}
