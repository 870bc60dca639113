package dev.hallmark.text;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The varied text of the differential test, assembled deterministically from the repository's
 * datasets, Debian packages (listed in .ci/apt-packages.txt) and seeded synthetic generators. A
 * missing package fails the test with the package's name.
 */
final class TestCorpus {

    /** One document: where it came from and its text. */
    record Doc(String label, String text) {
    }

    private final List<Doc> docs = new ArrayList<>();
    private final Map<String, Long> bytesBySource = new LinkedHashMap<>();
    private String source;
    private long sourceBytes;
    private long cap;

    List<Doc> docs() {
        return docs;
    }

    Map<String, Long> bytesBySource() {
        return bytesBySource;
    }

    long totalBytes() {
        return bytesBySource.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The full corpus of the differential test (about 60 MB of UTF-8). */
    static TestCorpus assemble() {
        TestCorpus c = new TestCorpus();
        try {
            c.datasets();
            c.javaSources(12_000_000);
            c.pythonSources(3_000_000);
            for (String lang : new String[] {"ja", "de", "fr", "ru", "pl", "uk"}) {
                c.manPages(lang, 2_000_000);
            }
            c.fortunes();
            c.edict(4_000_000);
            c.hunspell("ar", "hunspell-ar", 1_500_000);
            c.hunspell("he", "myspell-he", 1_500_000);
            c.hunspell("ko", "hunspell-ko", 1_500_000);
            c.hunspell("ml_IN", "hunspell-ml", 1_500_000);
            c.markdown(1_500_000);
            c.json(3_000_000);
            c.synthetic(3_000_000, 20_251_207L);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c;
    }

    private void begin(String name, long capBytes) {
        source = name;
        sourceBytes = 0;
        cap = capBytes;
    }

    private boolean isFull() {
        return sourceBytes >= cap;
    }

    /** Adds a document, split into chunks of at most 64k chars at line ends. */
    private void add(String label, String text) {
        if (text.isEmpty() || isFull()) {
            return;
        }
        int from = 0;
        int part = 0;
        while (from < text.length()) {
            int to = Math.min(text.length(), from + 65_536);
            if (to < text.length()) {
                int nl = text.lastIndexOf('\n', to);
                if (nl > from) {
                    to = nl + 1;
                }
                if (Character.isHighSurrogate(text.charAt(to - 1))) {
                    to--;
                }
            }
            String chunk = text.substring(from, to);
            docs.add(new Doc(source + ":" + label + (part > 0 || to < text.length() ? "#" + part : ""), chunk));
            long b = chunk.getBytes(StandardCharsets.UTF_8).length;
            sourceBytes += b;
            bytesBySource.merge(source, b, Long::sum);
            from = to;
            part++;
        }
    }

    static Path require(String path, String debianPackage) {
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            fail("missing " + path + ": install the Debian package " + debianPackage
                    + " (apt-get install " + debianPackage + "; it is listed in .ci/apt-packages.txt)");
        }
        return p;
    }

    private void datasets() throws IOException {
        begin("datasets", Long.MAX_VALUE);
        for (String f : new String[] {"datasets/corpus/train.jsonl.gz", "datasets/corpus/heldout.jsonl.gz",
            "datasets/human-text/human-text.jsonl.gz"}) {
            DatasetsTest.read(f).forEach(n -> add(n.get("id").asText(), n.get("text").asText()));
        }
    }

    private void javaSources(long capBytes) throws IOException {
        begin("jdk-src", capBytes);
        Path zip = require("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip", "openjdk-17-source");
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements() && !isFull();) {
                ZipEntry entry = e.nextElement();
                // every 7th file spreads the sample over the modules
                if (entry.getName().endsWith(".java") && (entry.getName().hashCode() & 7) == 0) {
                    try (InputStream in = z.getInputStream(entry)) {
                        add(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }

    private void pythonSources(long capBytes) throws IOException {
        begin("python-src", capBytes);
        Path dir = require("/usr/lib/python3.11", "python3");
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".py")).sorted().toList()) {
                add(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
    }

    private void manPages(String lang, long capBytes) throws IOException {
        begin("man-" + lang, capBytes);
        Path dir = require("/usr/share/man/" + lang + "/man1", "manpages-" + lang);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".gz")).sorted().toList()) {
                if (isFull()) {
                    break;
                }
                try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
                    add(p.getFileName().toString(), decode(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    private void fortunes() throws IOException {
        String[][] files = {{"fortunes-zh", "/usr/share/games/fortunes/chinese"},
            {"fortunes-zh", "/usr/share/games/fortunes/tang300"}, {"fortunes-zh", "/usr/share/games/fortunes/song100"},
            {"fortunes-ru", "/usr/share/games/fortunes/ru"}, {"fortunes-de", "/usr/share/games/fortunes/de"}};
        for (String[] f : files) {
            begin(f[0], 2_500_000);
            Path p = require(f[1], f[0]);
            List<Path> list = new ArrayList<>();
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(x -> !x.toString().endsWith(".dat") && !x.toString().endsWith(".u8")
                            && Files.isRegularFile(x)).sorted().forEach(list::add);
                }
            } else {
                list.add(p);
            }
            for (Path x : list) {
                String all = decode(Files.readAllBytes(x), StandardCharsets.UTF_8);
                // one document per group of fortunes (separated by lines with a single %)
                String[] parts = all.split("\n%\n");
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < parts.length; i++) {
                    b.append(parts[i]).append("\n%\n");
                    if (b.length() > 4000 || i == parts.length - 1) {
                        add(x.getFileName() + "@" + i, b.toString());
                        b.setLength(0);
                    }
                }
            }
        }
    }

    private void edict(long capBytes) throws IOException {
        begin("edict", capBytes);
        Path p = require("/usr/share/edict/edict", "edict");
        lines(decode(Files.readAllBytes(p), Charset.forName("EUC-JP")), "edict", 200);
    }

    private void hunspell(String dict, String debianPackage, long capBytes) throws IOException {
        begin("hunspell-" + dict, capBytes);
        Path p = require("/usr/share/hunspell/" + dict + ".dic", debianPackage);
        lines(decode(Files.readAllBytes(p), StandardCharsets.UTF_8), dict, 400);
    }

    private void lines(String all, String label, int perDoc) {
        String[] ls = all.split("\n", -1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ls.length && !isFull(); i++) {
            b.append(ls[i]).append('\n');
            if ((i + 1) % perDoc == 0 || i == ls.length - 1) {
                add(label + "@" + i, b.toString());
                b.setLength(0);
            }
        }
    }

    private void markdown(long capBytes) throws IOException {
        begin("markdown", capBytes);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(DatasetsTest.repo().resolve("docs"))) {
            s.filter(f -> f.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        files.add(DatasetsTest.repo().resolve("README.md"));
        try (Stream<Path> s = Files.walk(Path.of("/usr/share/doc"))) {
            s.filter(f -> f.toString().endsWith(".md") && Files.isRegularFile(f)).sorted().forEach(files::add);
        }
        for (Path f : files) {
            add(f.toString(), decode(Files.readAllBytes(f), StandardCharsets.UTF_8));
        }
    }

    private void json(long capBytes) throws IOException {
        begin("json", capBytes);
        // the tokenizer file itself: byte-level symbols, escapes, deep nesting
        try (BufferedReader r = Files.newBufferedReader(Tokenizers.locate(System::getProperty, System::getenv).path(), StandardCharsets.UTF_8)) {
            char[] buf = new char[16_384];
            for (int i = 0; i < 80; i++) {
                int n = r.read(buf);
                if (n <= 0) {
                    break;
                }
                add("tokenizer.json@" + i, new String(buf, 0, n));
            }
        }
        // the corpus as raw JSON lines (escaped text), re-serialized pretty-printed in part
        ObjectMapper om = new ObjectMapper();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(DatasetsTest.repo().resolve("datasets/corpus/heldout.jsonl.gz"))), StandardCharsets.UTF_8))) {
            int i = 0;
            for (String line = r.readLine(); line != null && !isFull(); line = r.readLine(), i++) {
                String text = i % 2 == 0 ? line : om.writerWithDefaultPrettyPrinter().writeValueAsString(om.readTree(line));
                add("heldout-json@" + i, text.substring(0, Math.min(text.length(), 20_000)));
            }
        }
    }

    /** Numbers, whitespace runs, emoji sequences, combining stacks, mixed scripts, controls, very long words. */
    private void synthetic(long capBytes, long seed) {
        begin("synthetic", capBytes);
        SplittableRandom r = new SplittableRandom(seed);
        String[] ws = {" ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u3000", "\u2003", "\n\n\n", " \t \n"};
        String[] emoji = {"😀", "👍🏽", "👨\u200D👩\u200D👧\u200D👦", "🏳️\u200D🌈", "🇯🇵", "🇧🇷", "1\uFE0F\u20E3", "❤\uFE0F",
            "🧑🏿\u200D🚀", "\uD83E\uDEF6\uD83C\uDFFC", "©\uFE0F", "🐈\u200D⬛"};
        String[] marks = {"\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u0316", "\u0323", "\u0327", "\u0331",
            "\u0345", "\u035C", "\u0361", "\u1DC4", "\u20D7", "\uFE20"};
        String[] scripts = {"中文字符串", "日本語のテキスト", "한국어 문장", "русский текст", "ελληνικά", "עִבְרִית",
            "العَرَبِيَّة", "हिन्दी पाठ", "ภาษาไทย", "ქართული", "Tiếng Việt", "Ꭰ Ꭱ Ꭲ", "ᠮᠣᠩᠭᠣᠯ", "𐌰𐌱𐌲"};
        String[] bidi = {"\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F"};
        for (int d = 0; !isFull(); d++) {
            StringBuilder b = new StringBuilder();
            int kind = d % 7;
            while (b.length() < 3000) {
                switch (kind) {
                    case 0 -> b.append(switch (r.nextInt(6)) {
                        case 0 -> Long.toString(r.nextLong());
                        case 1 -> String.format(java.util.Locale.ROOT, "%.6f", r.nextDouble() * 1e6);
                        case 2 -> String.format(java.util.Locale.ROOT, "%04d-%02d-%02d", 1900 + r.nextInt(200), 1 + r.nextInt(12), 1 + r.nextInt(28));
                        case 3 -> "0x" + Long.toHexString(r.nextLong());
                        case 4 -> "+1 (" + (100 + r.nextInt(900)) + ") 555-" + (1000 + r.nextInt(9000));
                        default -> "١٢٣٤٥".substring(r.nextInt(3)) + "१२३" + "１２３" + "²³¹";
                    }).append(ws[r.nextInt(3)]);
                    case 1 -> b.append("word").append(ws[r.nextInt(ws.length)].repeat(1 + r.nextInt(40)));
                    case 2 -> b.append(emoji[r.nextInt(emoji.length)]).append(r.nextInt(3) == 0 ? " " : "");
                    case 3 -> {
                        b.append((char) ('a' + r.nextInt(26)));
                        for (int k = r.nextInt(8); k > 0; k--) {
                            b.append(marks[r.nextInt(marks.length)]);
                        }
                        b.append(r.nextInt(5) == 0 ? " " : "");
                    }
                    case 4 -> b.append(scripts[r.nextInt(scripts.length)]).append(bidi[r.nextInt(bidi.length)])
                            .append(r.nextBoolean() ? " English words " : "123");
                    case 5 -> b.append((char) r.nextInt(0x20)).append(r.nextBoolean() ? "x" : "")
                            .append((char) (0x7F + r.nextInt(0x21)));
                    default -> {
                        int len = r.nextInt(4) == 0 ? 20_000 + r.nextInt(100_000) : 50 + r.nextInt(500);
                        StringBuilder w = new StringBuilder();
                        String alphabet = r.nextBoolean() ? "abcdefghijklmnopqrstuvwxyz" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=";
                        for (int k = 0; k < len; k++) {
                            w.append(alphabet.charAt(r.nextInt(alphabet.length())));
                        }
                        b.append(w).append(' ');
                    }
                }
            }
            add("kind" + kind + "@" + d, b.toString());
        }
    }

    private static String decode(byte[] bytes, Charset cs) {
        try {
            return cs.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
