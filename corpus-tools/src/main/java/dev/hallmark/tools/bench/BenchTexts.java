package dev.hallmark.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The tokenizer benchmark's inputs, about {@code bytes} of UTF-8 each, as documents:
 * {@code prose} (the English corpus datasets/corpus/train.jsonl.gz, read from the working directory
 * or {@code -Dhallmark.repo}), {@code code} (Java sources of java.util from the JDK's lib/src.zip,
 * Debian package openjdk-17-source) and {@code cjk} (Chinese text of the Debian package
 * fortunes-zh, colour escapes removed).
 */
public final class BenchTexts {

    private BenchTexts() {
    }

    /** Documents of the named kind, at least {@code bytes} of UTF-8 in total. */
    public static List<String> load(String kind, long bytes) {
        try {
            return switch (kind) {
                case "prose" -> prose(bytes);
                case "code" -> code(bytes);
                case "cjk" -> cjk(bytes);
                default -> throw new IllegalArgumentException("unknown text kind " + kind + " (prose, code, cjk)");
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long utf8(List<String> docs) {
        long n = 0;
        for (String d : docs) {
            n += d.getBytes(StandardCharsets.UTF_8).length;
        }
        return n;
    }

    private static Path require(Path p, String what) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("benchmark input missing: " + p + " (" + what + ")");
        }
        return p;
    }

    private static List<String> prose(long bytes) throws IOException {
        Path repo = Path.of(System.getProperty("hallmark.repo", "."));
        Path f = require(repo.resolve("datasets/corpus/train.jsonl.gz"),
                "run from the repository root or pass -Dhallmark.repo=DIR");
        List<String> out = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        long n = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(f)),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null && n < bytes; line = r.readLine()) {
                String t = om.readTree(line).get("text").asText();
                out.add(t);
                n += t.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return out;
    }

    private static List<String> code(long bytes) throws IOException {
        Path zip = require(Path.of(System.getProperty("java.home"), "lib", "src.zip"),
                "the JDK's sources: apt-get install openjdk-17-source");
        List<String> out = new ArrayList<>();
        long n = 0;
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements() && n < bytes;) {
                ZipEntry entry = e.nextElement();
                if (entry.getName().startsWith("java.base/java/util/") && entry.getName().endsWith(".java")) {
                    try (InputStream in = z.getInputStream(entry)) {
                        String t = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        out.add(t);
                        n += t.getBytes(StandardCharsets.UTF_8).length;
                    }
                }
            }
        }
        return out;
    }

    private static List<String> cjk(long bytes) throws IOException {
        Path f = require(Path.of("/usr/share/games/fortunes/chinese"), "apt-get install fortunes-zh");
        String all = Files.readString(f, StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*m", "");
        List<String> out = new ArrayList<>();
        long n = 0;
        for (String doc : all.split("\n%\n")) {
            if (n >= bytes) {
                break;
            }
            out.add(doc);
            n += doc.getBytes(StandardCharsets.UTF_8).length;
        }
        return out;
    }
}
