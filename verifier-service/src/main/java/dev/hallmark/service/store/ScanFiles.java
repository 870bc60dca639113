package dev.hallmark.service.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The corpus files of scans under the data directory: uploads in flight in {@code uploads/*.part},
 * each stored corpus (and a running scan's checkpoint) in {@code scans/<scan-id>/}. A scan row names
 * its file relative to the data directory ({@link ScanStore.Scan#uploadFile()}).
 *
 * <p>Every directory is created 0700 and every file 0600, whatever the process umask (the mode is
 * set after creation, as the umask may have removed bits): uploaded corpora may be confidential.
 */
public final class ScanFiles {

    static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private final Path dataDir;

    public ScanFiles(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Creates the data directory and its {@code uploads/} and {@code scans/} directories (0700). */
    public void createDirectories() throws IOException {
        privateDirectory(dataDir);
        privateDirectory(uploadsDir());
        privateDirectory(scansDir());
    }

    /** Creates {@code dir} (and missing parents) if needed and makes it 0700. */
    static void privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        restrict(dir, DIR);
    }

    /** Sets the mode of an existing file or directory (nothing on file systems without POSIX modes). */
    static void restrict(Path p, Set<PosixFilePermission> mode) throws IOException {
        try {
            Files.setPosixFilePermissions(p, mode);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to set
        }
    }

    /** Makes every file under {@code dir} 0600 and every directory 0700. */
    static void restrictTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path p : w.toList()) {
                restrict(p, Files.isDirectory(p) ? DIR : FILE);
            }
        }
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

    /** The directory of one scan (its stored corpus and checkpoint). */
    public Path scanDir(String scanId) {
        return scansDir().resolve(scanId);
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
        Path dir = scanDir(scanId);
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // left by an earlier attempt of the same id: reused
        }
        restrict(dir, DIR);
        Path dest = dir.resolve("upload" + suffix);
        restrict(upload, FILE);
        Files.move(upload, dest, StandardCopyOption.ATOMIC_MOVE);
        return dataDir.relativize(dest).toString();
    }

    /** Deletes the scan's directory and everything in it (nothing if there is none). */
    public void delete(String scanId) throws IOException {
        deleteTree(scanDir(scanId));
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
        restrictTree(dataDir);
    }

    /**
     * Deletes temporary upload files that no upload in progress owns and that were not written to
     * for {@code olderThan} (an upload aborted in a way that skipped its own clean-up).
     *
     * @return how many were deleted
     */
    public int sweepStaleParts(Set<Path> active, Duration olderThan) throws IOException {
        int n = 0;
        Instant before = Instant.now().minus(olderThan);
        try (Stream<Path> s = Files.list(uploadsDir())) {
            for (Path p : s.toList()) {
                if (active.contains(p)) {
                    continue;
                }
                try {
                    FileTime t = Files.getLastModifiedTime(p);
                    if (t.toInstant().isBefore(before) && Files.deleteIfExists(p)) {
                        n++;
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return n;
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
