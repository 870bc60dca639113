package dev.hallmark.tools.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The work directory's caches: teacher corpora as JSONL (one completion per line, appended batch
 * by batch so an interrupted generation resumes where it stopped) with a metadata file holding
 * the settings that produced them, and token-id lists in a small binary format.
 */
final class TeacherStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IDS_MAGIC = 0x484d4944; // "HMID"
    private static final int IDS_VERSION = 1;

    private TeacherStore() {
    }

    /** Reads the documents of a teacher corpus file (a torn last line from a crash is dropped). */
    static List<Pipeline.TeacherDoc> readCorpus(Path file) throws IOException {
        List<Pipeline.TeacherDoc> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    if (r.readLine() == null) {
                        break; // torn last line
                    }
                    throw new IOException(file + " line " + no + ": not JSON: " + e.getMessage(), e);
                }
                if (n.path("i").asLong(-1) != out.size()) {
                    throw new IOException(file + " line " + no + ": expected document " + out.size() + ", found "
                            + n.path("i"));
                }
                out.add(new Pipeline.TeacherDoc(ints(n.get("prompt_ids")), ints(n.get("completion_ids")),
                        n.path("account").asLong(Pipeline.UNWATERMARKED)));
            }
        }
        return out;
    }

    /** Rewrites {@code file} with exactly {@code docs} (drops a torn tail before appending). */
    static void rewrite(Path file, List<Pipeline.TeacherDoc> docs) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (int i = 0; i < docs.size(); i++) {
                w.write(line(i, docs.get(i)));
                w.write('\n');
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Appends documents numbered from {@code first}, flushed to disk. */
    static void append(Path file, int first, List<Pipeline.TeacherDoc> docs) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            for (int i = 0; i < docs.size(); i++) {
                w.write(line(first + i, docs.get(i)));
                w.write('\n');
            }
        }
    }

    private static String line(int i, Pipeline.TeacherDoc d) {
        ObjectNode o = JSON.createObjectNode();
        o.put("i", i);
        o.put("account", d.account());
        ArrayNode p = o.putArray("prompt_ids");
        for (int x : d.prompt()) {
            p.add(x);
        }
        ArrayNode c = o.putArray("completion_ids");
        for (int x : d.completion()) {
            c.add(x);
        }
        return o.toString();
    }

    private static int[] ints(JsonNode a) throws IOException {
        if (a == null || !a.isArray()) {
            throw new IOException("missing id array");
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    static ObjectNode readMeta(Path file) throws IOException {
        return Files.exists(file) ? (ObjectNode) JSON.readTree(file.toFile()) : null;
    }

    static void writeMeta(Path file, JsonNode meta) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), meta);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes token-id documents: magic, version, count, then (length, ids) per document. */
    static void writeIds(Path file, List<int[]> docs) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                DataOutputStream out = new DataOutputStream(os)) {
            out.writeInt(IDS_MAGIC);
            out.writeInt(IDS_VERSION);
            out.writeInt(docs.size());
            for (int[] d : docs) {
                out.writeInt(d.length);
                for (int x : d) {
                    out.writeInt(x);
                }
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static List<int[]> readIds(Path file) throws IOException {
        try (InputStream is = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                DataInputStream in = new DataInputStream(is)) {
            if (in.readInt() != IDS_MAGIC || in.readInt() != IDS_VERSION) {
                throw new IOException(file + ": not a hallmark id list (v" + IDS_VERSION + ")");
            }
            int n = in.readInt();
            List<int[]> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int[] d = new int[in.readInt()];
                for (int j = 0; j < d.length; j++) {
                    d[j] = in.readInt();
                }
                out.add(d);
            }
            return out;
        } catch (EOFException e) {
            throw new IOException(file + ": truncated", e);
        }
    }
}
