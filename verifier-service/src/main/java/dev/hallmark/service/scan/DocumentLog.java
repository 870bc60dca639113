package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectionJson;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a scan's per-document results, one JSON object per line ({@link ScanDocuments} reads
 * them): to a temporary file during the run, moved into place when the report is written, so a
 * half-written log is never served. A re-run (after a crash) starts it anew.
 */
final class DocumentLog implements Closeable {

    private final Path part;
    private final Path dest;
    private final BufferedWriter out;

    DocumentLog(Path dest) throws IOException {
        this.dest = dest;
        this.part = dest.resolveSibling(dest.getFileName() + ".part");
        Files.createDirectories(dest.getParent());
        this.out = Files.newBufferedWriter(part, StandardCharsets.UTF_8);
    }

    void write(ObjectNode doc) throws IOException {
        out.write(DetectionJson.mapper().writeValueAsString(doc));
        out.write('\n');
    }

    /** Closes the log and moves it into place. */
    void commit() throws IOException {
        out.close();
        Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Closes the log; an uncommitted one is deleted. */
    @Override
    public void close() throws IOException {
        out.close();
        Files.deleteIfExists(part);
    }
}
