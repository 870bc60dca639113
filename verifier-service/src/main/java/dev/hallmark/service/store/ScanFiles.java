package dev.hallmark.service.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * The corpus files of scans under the data directory: uploads in flight in {@code uploads/*.part},
 * each stored corpus in {@code scans/<scan-id>/upload[.gz]}. A scan row names its file relative to
 * the data directory ({@link ScanStore.Scan#uploadFile()}).
 */
public final class ScanFiles {

    private final Path dataDir;

    public ScanFiles(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Creates the data directory and its {@code uploads/} and {@code scans/} directories. */
    public void createDirectories() throws IOException {
        Files.createDirectories(dataDir);
        Files.createDirectories(uploadsDir());
        Files.createDirectories(scansDir());
    }

    /**
     * Checks that uploads can be written (readiness: a shared directory that went away, or a full
     * or read-only disk): creates and removes a small file in {@code uploads/}.
     */
    public void checkWritable() throws IOException {
        Path probe = Files.createTempFile(uploadsDir(), "ready-", ".probe");
        try {
            Files.writeString(probe, "ok");
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** Where uploads are written while they arrive (swept at start). */
    public Path uploadsDir() {
        return dataDir.resolve("uploads");
    }

    private Path scansDir() {
        return dataDir.resolve("scans");
    }

    /** The temporary file an upload for {@code scanId} is received into. */
    public Path partFile(String scanId) {
        return uploadsDir().resolve(scanId + ".part");
    }

    /** The stored corpus of a scan. */
    public Path corpus(ScanStore.Scan s) {
        return dataDir.resolve(s.uploadFile());
    }

    /** Whether the scan's corpus is still stored. */
    public boolean hasCorpus(ScanStore.Scan s) {
        return Files.isRegularFile(corpus(s));
    }

    /**
     * Moves a validated upload into the scan's directory (atomically) and returns the path to
     * record on the scan row, relative to the data directory.
     */
    public String commit(Path upload, String scanId, boolean gzip) throws IOException {
        return commit(upload, scanId, gzip ? ".gz" : "");
    }

    /** {@link #commit(Path, String, boolean)} with the file name's suffix ({@code .gz}, {@code .zst}, {@code .parquet}, or none). */
    public String commit(Path upload, String scanId, String suffix) throws IOException {
        Path dir = scansDir().resolve(scanId);
        Files.createDirectories(dir);
        Path dest = dir.resolve("upload" + suffix);
        Files.move(upload, dest, StandardCopyOption.ATOMIC_MOVE);
        return dataDir.relativize(dest).toString();
    }

    /** Deletes the scan's directory and everything in it (nothing if there is none). */
    public void delete(String scanId) throws IOException {
        deleteTree(scansDir().resolve(scanId));
    }

    /**
     * Removes temporary uploads and scan directories without a row (a crash between the two
     * steps) that are at least {@code minAge} old. A data directory shared by several instances
     * holds their uploads in flight and scans about to get their row: there only old leftovers
     * may go; a directory of one process (the embedded database) is swept whole at start.
     */
    public void sweepOrphans(ScanStore scans, Duration minAge) throws IOException {
        Instant before = Instant.now().minus(minAge);
        try (Stream<Path> s = Files.list(uploadsDir())) {
            for (Path p : s.toList()) {
                if (olderThan(p, before)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        try (Stream<Path> s = Files.list(scansDir())) {
            for (Path p : s.toList()) {
                if (olderThan(p, before) && scans.get(p.getFileName().toString()) == null) {
                    deleteTree(p);
                }
            }
        }
    }

    private static boolean olderThan(Path p, Instant before) {
        try {
            return !Files.getLastModifiedTime(p).toInstant().isAfter(before);
        } catch (IOException e) {
            return false; // gone already
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> w = Files.walk(p)) {
            for (Path x : w.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
