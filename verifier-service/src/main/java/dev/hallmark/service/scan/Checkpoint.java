package dev.hallmark.service.scan;

import dev.hallmark.service.store.ScanStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * A running scan's saved state, so that a stop (drain on SIGTERM) or a crash costs at most the work
 * since the last checkpoint: the documents done (a prefix of the corpus), the tokens read, and the
 * scan type's whole state (the corpus accumulators' {@code writeState}, the counts, histograms and
 * lists, the near-duplicate table, and where its per-document results log had got to), written by
 * the scan type itself ({@link State}). The file lives in the scan's directory of the data
 * directory, which every instance of a deployment shares: an instance that takes over a scan
 * whose instance died resumes from it.
 *
 * <p>File {@code scans/<scan-id>/checkpoint} (mode 0600), replaced atomically (written to
 * {@code checkpoint.tmp}, then renamed): magic {@code HMCK}, format version
 * {@value #VERSION}, the scan id, the scan type, a fingerprint of what the scan tests (key ids,
 * schemes, the token budget: a checkpoint of other tests is not resumed), documents, tokens,
 * bytes read, the state, and a CRC-32C of all of it. A checkpoint that does not read back whole and
 * identical in these is ignored (the scan then starts again from the beginning) and the reason
 * is returned for the scan's note.
 */
final class Checkpoint {

    static final int MAGIC = 0x484D434B;
    static final int VERSION = 1;
    static final String FILE = "checkpoint";

    /** A scan type's state between documents. */
    interface State {
        void write(DataOutput out) throws IOException;
    }

    /** Where a scan resumes: the documents and tokens done, the bytes read then, and where the state is. */
    record Resume(long documents, long tokens, long bytes, Path file, long stateOffset) {

        /** The scan type's state (close it when read). */
        DataInputStream openState() throws IOException {
            InputStream in = Files.newInputStream(file);
            in.skipNBytes(stateOffset);
            return new DataInputStream(new BufferedInputStream(in, 1 << 16));
        }
    }

    /** What reading a checkpoint found: a resume point, or null with the reason (null when there was none). */
    record Loaded(Resume resume, String problem) {}

    private Checkpoint() {}

    static Path file(Path scanDir) {
        return scanDir.resolve(FILE);
    }

    /** Writes a checkpoint of scan {@code s} atomically. */
    static void save(Path scanDir, ScanStore.Scan s, String fingerprint, long documents, long tokens, long bytes,
            State state) throws IOException {
        Path tmp = scanDir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        CRC32C crc = new CRC32C();
        try (OutputStream raw = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING);
                CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc);
                DataOutputStream out = new DataOutputStream(checked)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(s.id());
            out.writeUTF(s.scanType());
            out.writeUTF(fingerprint);
            out.writeLong(documents);
            out.writeLong(tokens);
            out.writeLong(bytes);
            state.write(out);
            out.flush();
            long sum = crc.getValue(); // covers everything before it
            out.writeLong(sum);
        }
        Files.move(tmp, file(scanDir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads the checkpoint of scan {@code scanId} if there is a usable one.
     *
     * @param scanType the type of the analysis that saved it (a probe scan's is its radioactivity pass)
     */
    static Loaded load(Path scanDir, String scanId, String scanType, String fingerprint) {
        Path f = file(scanDir);
        if (!Files.isRegularFile(f)) {
            return new Loaded(null, null);
        }
        try {
            long size = Files.size(f);
            if (size < 8) {
                return new Loaded(null, "the checkpoint is truncated");
            }
            CRC32C crc = new CRC32C();
            long stored;
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(f), 1 << 16)) {
                byte[] buf = new byte[1 << 16];
                long left = size - 8;
                while (left > 0) {
                    int n = raw.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        return new Loaded(null, "the checkpoint is truncated");
                    }
                    crc.update(buf, 0, n);
                    left -= n;
                }
                stored = new DataInputStream(raw).readLong();
            }
            if (stored != crc.getValue()) {
                return new Loaded(null, "the checkpoint's checksum does not match (a torn or damaged file)");
            }
            try (CountingInput counted = new CountingInput(new BufferedInputStream(Files.newInputStream(f), 1 << 16));
                    DataInputStream in = new DataInputStream(counted)) {
                if (in.readInt() != MAGIC) {
                    return new Loaded(null, "not a checkpoint file");
                }
                int v = in.readInt();
                if (v != VERSION) {
                    return new Loaded(null, "checkpoint format " + v + " is not the one this build writes (" + VERSION + ")");
                }
                if (!in.readUTF().equals(scanId) || !in.readUTF().equals(scanType)) {
                    return new Loaded(null, "the checkpoint belongs to another scan");
                }
                if (!in.readUTF().equals(fingerprint)) {
                    return new Loaded(null, "the checkpoint was made for other keys, schemes or token budget");
                }
                long docs = in.readLong();
                long tokens = in.readLong();
                long bytes = in.readLong();
                return new Loaded(new Resume(docs, tokens, bytes, f, counted.count), null);
            }
        } catch (EOFException e) {
            return new Loaded(null, "the checkpoint is truncated");
        } catch (IOException e) {
            return new Loaded(null, "the checkpoint cannot be read: " + e.getMessage());
        }
    }

    /** Counts the bytes read through it (where the state starts). */
    private static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** Removes a scan's checkpoint and the partial results it refers to (the scan is done, failed or cancelled). */
    static void delete(Path scanDir) throws IOException {
        Files.deleteIfExists(file(scanDir));
        Files.deleteIfExists(scanDir.resolve(FILE + ".tmp"));
        DocumentLog.deleteParts(scanDir);
    }
}
