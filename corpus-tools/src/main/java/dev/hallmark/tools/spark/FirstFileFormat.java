package dev.hallmark.tools.spark;

import dev.hallmark.corpus.CorpusException;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.CorpusOptions;
import dev.hallmark.corpus.CorpusReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;

/**
 * What {@code --format auto} finds, on the driver: the format of the first input file (the inputs
 * in order, a glob's matches and a directory's visible files sorted by name), detected by
 * hallmark-corpus from its first bytes (at most {@value #SNIFF_BYTES} copied locally; Parquet by
 * its magic alone).
 */
final class FirstFileFormat {

    /** The most of a file copied to detect its format. */
    static final int SNIFF_BYTES = 16 << 20;

    private FirstFileFormat() {}

    /**
     * @throws IllegalArgumentException if no input path exists, or the first file's first record
     *     already cannot be read (naming the file and the record)
     */
    static CorpusFormat of(SparkSession spark, JobSpec spec) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try {
            for (String in : spec.inputs()) {
                org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(in);
                FileSystem fs = p.getFileSystem(conf);
                FileStatus[] matches = fs.globStatus(p);
                if (matches == null) {
                    continue;
                }
                Arrays.sort(matches, Comparator.comparing(s -> s.getPath().toString()));
                for (FileStatus m : matches) {
                    FileStatus f = m.isDirectory() ? firstFile(fs, m.getPath()) : m;
                    if (f != null) {
                        return sniff(fs, f, spec.textField());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("input " + spec.inputs() + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("input " + String.join(", ", spec.inputs()) + " does not exist (no file "
                + "matches)");
    }

    /** The first visible file of a directory (Spark's and Hadoop's {@code _SUCCESS}, {@code .crc} files are not). */
    private static FileStatus firstFile(FileSystem fs, org.apache.hadoop.fs.Path dir) throws IOException {
        FileStatus[] files = fs.listStatus(dir, q -> !q.getName().startsWith("_") && !q.getName().startsWith("."));
        Arrays.sort(files, Comparator.comparing(s -> s.getPath().toString()));
        for (FileStatus f : files) {
            if (f.isFile()) {
                return f;
            }
        }
        return null;
    }

    private static CorpusFormat sniff(FileSystem fs, FileStatus f, String field) throws IOException {
        Path local = Files.createTempFile("hallmark-sniff-", ".part");
        try {
            try (InputStream in = fs.open(f.getPath()); OutputStream out = Files.newOutputStream(local)) {
                byte[] head = in.readNBytes(4);
                if (head.length == 4 && new String(head, StandardCharsets.US_ASCII).equals("PAR1")) {
                    return CorpusFormat.PARQUET;
                }
                out.write(head);
                byte[] rest = in.readNBytes(SNIFF_BYTES - head.length);
                out.write(rest);
            }
            try (CorpusReader r = CorpusReader.open(local, CorpusOptions.defaults().withField(field))) {
                return r.info().format();
            } catch (CorpusException e) {
                throw new IllegalArgumentException("input " + f.getPath() + ": " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(local);
        }
    }
}
