package dev.hallmark.key;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** An ordered set of keys with distinct ids, as detection against many keys needs. */
public final class KeyRing {

    private final List<WatermarkKey> keys;
    private final Map<String, WatermarkKey> byId;
    private final Map<String, String> schemes;

    private KeyRing(List<WatermarkKey> keys) {
        this(keys, Map.of());
    }

    private KeyRing(List<WatermarkKey> keys, Map<String, String> schemes) {
        Map<String, WatermarkKey> m = new LinkedHashMap<>();
        for (WatermarkKey k : keys) {
            if (m.putIfAbsent(k.id(), k) != null) {
                throw new IllegalArgumentException("duplicate key id in key ring: " + k.id());
            }
        }
        this.keys = List.copyOf(keys);
        this.byId = Collections.unmodifiableMap(m);
        this.schemes = Map.copyOf(schemes);
    }

    /** A ring of the given keys (ids must be distinct). */
    public static KeyRing of(List<WatermarkKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a key ring needs at least one key");
        }
        return new KeyRing(keys);
    }

    /** Loads every {@code *.json} key file in a directory, in file-name order. */
    public static KeyRing load(Path dir) throws IOException {
        List<WatermarkKey> keys = new ArrayList<>();
        Map<String, String> schemes = new LinkedHashMap<>();
        for (Path f : keyFiles(dir)) {
            KeyFile.Contents c = KeyFile.load(f);
            keys.add(c.key());
            if (c.scheme() != null) {
                schemes.putIfAbsent(c.key().id(), c.scheme());
            }
        }
        return new KeyRing(keys, schemes);
    }

    /**
     * Loads every {@code *.json} vLLM key file ({@link KeyFile#readVllm}) in a directory, in file-name
     * order, for testing one text against many vLLM keys.
     *
     * @throws KeyFileException if a file is not a vLLM key file or two files hold the same key
     */
    public static List<VllmKey> loadVllm(Path dir) throws IOException {
        List<VllmKey> keys = new ArrayList<>();
        Map<String, Path> seen = new LinkedHashMap<>();
        for (Path f : keyFiles(dir)) {
            VllmKey k = KeyFile.readVllm(f);
            Path before = seen.putIfAbsent(k.id(), f);
            if (before != null) {
                throw new KeyFileException("key ring " + dir + ": " + f.getFileName() + " holds the same vLLM key as "
                        + before.getFileName() + " (" + k.id() + ")");
            }
            keys.add(k);
        }
        return List.copyOf(keys);
    }

    private static List<Path> keyFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new KeyFileException("key ring " + dir + ": not a directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new KeyFileException("key ring " + dir + ": no *.json key files");
        }
        return files;
    }

    public List<WatermarkKey> keys() {
        return keys;
    }

    public int size() {
        return keys.size();
    }

    /**
     * The default scheme spec the key file of key {@code id} names (key files of version 2), or
     * {@code null} if it names none or the ring was not loaded from files.
     */
    public String scheme(String id) {
        return schemes.get(id);
    }

    /** The key with this id, or {@code null}. */
    public WatermarkKey get(String id) {
        return byId.get(id);
    }
}
