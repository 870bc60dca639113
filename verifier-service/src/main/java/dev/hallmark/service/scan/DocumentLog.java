package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectionJson;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Writes a scan's per-document results, one JSON object per line ({@link ScanDocuments} reads
 * them): to a part file of this run ({@code documents.jsonl.<run>.part}, mode 0600) while the scan
 * runs, then, when the report is written, rewritten into place with what only the end of the scan
 * knows ({@link #commit}), so a half-written log is never served.
 *
 * <p>Checkpoints: a scan's checkpoint records the part file and how many bytes of it its state
 * covers ({@link #flushedBytes}). A run that resumes from it copies that prefix into a part file of
 * its own and appends to it ({@link #resume}): two runs never write one file (a stalled instance
 * that lost its scan's lease may still write a line before it notices), and a crash mid-line
 * leaves nothing that a resumed run reads.
 */
final class DocumentLog implements Closeable {

    private final Path dest;
    private final Path part;
    private final BufferedWriter writer;
    private long written;

    private DocumentLog(Path dest, Path part, long already) throws IOException {
        this.dest = dest;
        this.part = part;
        this.writer = new BufferedWriter(new OutputStreamWriter(new CountingOutput(Files.newOutputStream(part,
                StandardOpenOption.APPEND)), StandardCharsets.UTF_8), 1 << 16);
        this.written = already;
    }

    /** A new, empty log of a run. */
    static DocumentLog start(Path dest) throws IOException {
        Path part = newPart(dest);
        return new DocumentLog(dest, part, 0);
    }

    /**
     * A run's log that continues the first {@code bytes} bytes of the earlier part file {@code from}
     * (a file name beside {@code dest}, as a checkpoint recorded it).
     *
     * @throws IOException if that part file is gone or shorter (the checkpoint is then unusable)
     */
    static DocumentLog resume(Path dest, String from, long bytes) throws IOException {
        Path src = dest.resolveSibling(from);
        if (!from.startsWith(dest.getFileName() + ".") || !from.endsWith(".part") || from.contains("/")
                || !Files.isRegularFile(src) || Files.size(src) < bytes) {
            throw new IOException("the checkpoint's per-document results (" + from + ", " + bytes + " bytes) are missing");
        }
        Path part = newPart(dest);
        try (InputStream in = Files.newInputStream(src); OutputStream o = Files.newOutputStream(part,
                StandardOpenOption.APPEND)) {
            byte[] buf = new byte[1 << 16];
            long left = bytes;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("the checkpoint's per-document results ended early");
                }
                o.write(buf, 0, n);
                left -= n;
            }
        } catch (IOException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        return new DocumentLog(dest, part, bytes);
    }

    private static Path newPart(Path dest) throws IOException {
        Files.createDirectories(dest.getParent());
        Path part = dest.resolveSibling(dest.getFileName() + "." + UUID.randomUUID().toString().substring(0, 13) + ".part");
        try {
            Files.createFile(part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(part);
        }
        return part;
    }

    void write(ObjectNode doc) throws IOException {
        writer.write(DetectionJson.mapper().writeValueAsString(doc));
        writer.write('\n');
    }

    /** The part file's name (for a checkpoint). */
    String partName() {
        return part.getFileName().toString();
    }

    /** Writes out what is buffered and returns the part file's length (for a checkpoint). */
    long flushedBytes() throws IOException {
        writer.flush();
        return written;
    }

    /**
     * Closes the log and puts it in place: every line passed through {@code finish} (which may
     * change the entry), written to a temporary file (0600) that replaces {@code dest} atomically.
     * The part files of this scan's runs are then deleted.
     */
    void commit(UnaryOperator<ObjectNode> finish) throws IOException {
        writer.close();
        Path tmp = dest.resolveSibling(dest.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        try (BufferedReader r = Files.newBufferedReader(part, StandardCharsets.UTF_8);
                BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                ObjectNode d = (ObjectNode) DetectionJson.mapper().readTree(line);
                w.write(DetectionJson.mapper().writeValueAsString(finish.apply(d)));
                w.write('\n');
            }
        }
        Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        deleteParts(dest.getParent());
    }

    /** Closes the log; the part file stays (a checkpoint may refer to it). */
    @Override
    public void close() throws IOException {
        writer.close();
    }

    /** Deletes the part files (and an unfinished rewrite) of the per-document results in a scan's directory. */
    static void deleteParts(Path scanDir) throws IOException {
        if (!Files.isDirectory(scanDir)) {
            return;
        }
        String prefix = ScanDocuments.FILE + ".";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(scanDir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && (n.endsWith(".part") || n.endsWith(".tmp"));
        })) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Counts the bytes that reach the file. */
    private final class CountingOutput extends java.io.FilterOutputStream {
        CountingOutput(OutputStream o) {
            super(o);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written += len;
        }
    }
}
