package dev.hallmark.text;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.Adler32;
import java.util.zip.CRC32;

/**
 * The on-disk cache of {@link FastBpeTokenizer.Compiled}: parsing an 11 MB {@code tokenizer.json}
 * and building the merge table costs about a second of CPU in a fresh JVM, reading the compiled
 * arrays back a few tens of milliseconds.
 *
 * <p>File {@code <size>-<crc32><adler32>.fastbpe}, named by the JSON file's size and two checksums
 * (so an edited file misses the cache). Layout, big-endian: magic {@code "HMFB"}, format
 * {@link #VERSION}, the key again, the compiled fields and arrays, then the CRC32 of everything
 * before it. A file that does not match in any of these is ignored (and rewritten by the caller).
 * Bump {@link #VERSION} whenever the compiled form or its meaning changes.
 */
final class CompiledCache {

    static final int MAGIC = 0x484D4642; // "HMFB"
    static final int VERSION = 1;

    private CompiledCache() {
    }

    /** Identity of a tokenizer.json: its size and two checksums of its bytes. */
    record Key(long size, long crc32, long adler32) {
        static Key of(Path json) {
            CRC32 crc = new CRC32();
            Adler32 adler = new Adler32();
            long size = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(json)) {
                for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                    crc.update(buf, 0, n);
                    adler.update(buf, 0, n);
                    size += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read tokenizer " + json + ": " + e.getMessage(), e);
            }
            return new Key(size, crc.getValue(), adler.getValue());
        }
    }

    static Path file(Path dir, Key key) {
        return dir.resolve(String.format(Locale.ROOT, "%d-%08x%08x.fastbpe", key.size(), key.crc32(), key.adler32()));
    }

    /** The compiled tokenizer in {@code file}, or null if it is missing, damaged or not for {@code key}. */
    static FastBpeTokenizer.Compiled read(Path file, Key key) {
        byte[] all;
        try {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
        if (all.length < 8) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 4);
        ByteBuffer b = ByteBuffer.wrap(all);
        if ((int) crc.getValue() != b.getInt(all.length - 4)) {
            return null;
        }
        try {
            if (b.getInt() != MAGIC || b.getInt() != VERSION || b.getLong() != key.size() || b.getLong() != key.crc32()
                    || b.getLong() != key.adler32()) {
                return null;
            }
            boolean nfc = b.get() != 0;
            String pattern = string(b);
            boolean prefixSpace = b.get() != 0;
            boolean perPiece = b.get() != 0;
            int vocabularySize = b.getInt();
            int unkId = b.getInt();
            boolean fuseUnk = b.get() != 0;
            boolean ignoreMerges = b.get() != 0;
            int[] byteToId = ints(b);
            long[] mergeTable = longs(b);
            int[] wordSlots = ints(b);
            byte[] tokenPool = new byte[b.getInt()];
            b.get(tokenPool);
            int[] tokenStart = ints(b);
            List<AddedTokenMatcher.Pattern> raw = patterns(b);
            List<AddedTokenMatcher.Pattern> normalized = patterns(b);
            if (PreTokenizerScanner.forPattern(pattern) == null || byteToId.length != 256
                    || Integer.bitCount(mergeTable.length) != 1 || tokenStart.length != vocabularySize + 1
                    || (ignoreMerges != (wordSlots.length > 0)) || b.position() != all.length - 4) {
                return null;
            }
            BpeModel model = new BpeModel(new BpeModel.Parts(byteToId, unkId, fuseUnk, ignoreMerges, mergeTable,
                    wordSlots.length == 0 ? null : wordSlots, tokenPool, tokenStart));
            return new FastBpeTokenizer.Compiled(nfc, pattern, prefixSpace, perPiece, vocabularySize, model, raw, normalized);
        } catch (BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            return null;
        }
    }

    /** Writes {@code c} to {@code file} atomically; a cache that cannot be written is skipped silently. */
    static void write(Path file, Key key, FastBpeTokenizer.Compiled c) {
        BpeModel.Parts p = c.model().parts();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 << 20);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(key.size());
            out.writeLong(key.crc32());
            out.writeLong(key.adler32());
            out.writeBoolean(c.nfc());
            string(out, c.pattern());
            out.writeBoolean(c.prefixSpace());
            out.writeBoolean(c.prefixPerPiece());
            out.writeInt(c.vocabularySize());
            out.writeInt(p.unkId());
            out.writeBoolean(p.fuseUnk());
            out.writeBoolean(p.ignoreMerges());
            ints(out, p.byteToId());
            out.writeInt(p.mergeTable().length);
            ByteBuffer lb = ByteBuffer.allocate(p.mergeTable().length * 8);
            lb.asLongBuffer().put(p.mergeTable());
            out.write(lb.array());
            ints(out, p.wordSlots() == null ? new int[0] : p.wordSlots());
            out.writeInt(p.tokenPool().length);
            out.write(p.tokenPool());
            ints(out, p.tokenStart());
            patterns(out, c.raw());
            patterns(out, c.normalized());
            out.flush();
            CRC32 crc = new CRC32();
            byte[] body = bytes.toByteArray();
            crc.update(body);
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory stream
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, bytes.toByteArray());
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | SecurityException e) {
            // the cache only saves time: an unwritable directory is not an error
        }
    }

    private static void ints(DataOutputStream out, int[] a) throws IOException {
        out.writeInt(a.length);
        ByteBuffer b = ByteBuffer.allocate(a.length * 4);
        b.asIntBuffer().put(a);
        out.write(b.array());
    }

    private static int[] ints(ByteBuffer b) {
        int[] a = new int[b.getInt()];
        b.asIntBuffer().get(a);
        b.position(b.position() + 4 * a.length);
        return a;
    }

    private static long[] longs(ByteBuffer b) {
        long[] a = new long[b.getInt()];
        b.asLongBuffer().get(a);
        b.position(b.position() + 8 * a.length);
        return a;
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        out.writeInt(s.length());
        for (int i = 0; i < s.length(); i++) {
            out.writeChar(s.charAt(i));
        }
    }

    private static String string(ByteBuffer b) {
        char[] c = new char[b.getInt()];
        b.asCharBuffer().get(c);
        b.position(b.position() + 2 * c.length);
        return new String(c);
    }

    private static void patterns(DataOutputStream out, List<AddedTokenMatcher.Pattern> ps) throws IOException {
        out.writeInt(ps.size());
        for (AddedTokenMatcher.Pattern p : ps) {
            string(out, p.content());
            out.writeInt(p.id());
            out.writeBoolean(p.lstrip());
            out.writeBoolean(p.rstrip());
        }
    }

    private static List<AddedTokenMatcher.Pattern> patterns(ByteBuffer b) {
        int n = b.getInt();
        List<AddedTokenMatcher.Pattern> out = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) {
            out.add(new AddedTokenMatcher.Pattern(string(b), b.getInt(), b.get() != 0, b.get() != 0));
        }
        return out;
    }
}
