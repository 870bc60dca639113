package dev.hallmark.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.util.VersionInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Unicode side of exactness: the generated tables, every code point's pre-tokenizer class
 * against Oniguruma's (through HF's word ids), and NFC against HF's Unicode 9.0 normalizer for
 * every code point with normalization data. Also pins down why Java's own tables are not used.
 */
class FastBpeUnicodeTest {

    private static Differential diff;

    @BeforeAll
    static void open() {
        diff = Differential.qwen3();
    }

    @AfterAll
    static void close() {
        diff.close();
    }

    @Test
    void committedTablesAreWhatTheGeneratorProduces() throws IOException {
        String committed = Files.readString(DatasetsTest.repo().resolve("watermark-core").resolve("text")
                .resolve(UnicodeTablesGenerator.RESOURCE), StandardCharsets.UTF_8);
        assertTrue(committed.equals(UnicodeTablesGenerator.generate()),
                "unicode-tables.txt is stale: regenerate with UnicodeTablesGenerator.main (see its Javadoc)");
    }

    /**
     * Each code point c in two probes, {@code a c a} and {@code x c c x}, which split differently
     * for each class (letter, number, white space, other). All of planes 0-3 and 14, every 61st
     * code point elsewhere (unassigned or private use), surrogates excepted.
     */
    @Test
    void everyCodePointSplitsAsOnigurumaSplitsIt() {
        List<Integer> cps = new ArrayList<>();
        for (int cp = 0; cp < 0x110000; cp++) {
            boolean dense = cp < 0x40000 || (cp >= 0xE0000 && cp < 0xE1000);
            if ((dense || cp % 61 == 0) && !(cp >= 0xD800 && cp <= 0xDFFF)) {
                cps.add(cp);
            }
        }
        IntFunction<String> probe = cp -> "a" + new String(Character.toChars(cp)) + "a\nx"
                + new String(Character.toChars(cp)) + new String(Character.toChars(cp)) + "x\n";
        List<String> bad = checkInBatches(cps, probe, true, 2048);
        if (!bad.isEmpty()) {
            fail(bad.size() + " code points split differently from HF, e.g.:\n" + String.join("\n", bad));
        }
    }

    /**
     * Every code point with normalization data in Unicode 16.0 (non-zero combining class, a
     * decomposition, or part of a composition), in probes that exercise reordering, composition
     * and blocking; and every composition pair. HF normalizes with Unicode 9.0 data, so code points
     * assigned later must be left alone.
     */
    @Test
    void nfcAgreesWithHfForEveryCodePointWithNormalizationData() {
        Normalizer2 nfd = Normalizer2.getNFDInstance();
        Normalizer2 nfc = Normalizer2.getNFCInstance();
        Set<Integer> cps = new LinkedHashSet<>();
        List<int[]> pairs = new ArrayList<>();
        for (int cp = 0; cp < 0x110000; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                continue;
            }
            String raw = nfc.getRawDecomposition(cp);
            if (UCharacter.getCombiningClass(cp) != 0 || nfd.getDecomposition(cp) != null) {
                cps.add(cp);
            }
            if (raw != null && raw.codePointCount(0, raw.length()) == 2) {
                int a = raw.codePointAt(0);
                int b = raw.codePointAt(Character.charCount(a));
                pairs.add(new int[] {a, b});
                cps.add(a);
                cps.add(b);
            }
        }
        IntFunction<String> probe = cp -> {
            String c = new String(Character.toChars(cp));
            return c + "\u0300\u0316" + c + " e" + c + "\u0301 a\u0316" + c + "\u0300 \u1100" + c + " " + c + c + "\n";
        };
        List<String> bad = checkInBatches(new ArrayList<>(cps), probe, false, 512);
        List<Integer> pairIndex = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            pairIndex.add(i);
        }
        IntFunction<String> pairProbe = i -> {
            String a = new String(Character.toChars(pairs.get(i)[0]));
            String b = new String(Character.toChars(pairs.get(i)[1]));
            return a + b + " " + a + "\u0323" + b + " " + a + "\u0301" + b + " " + a + b + b + "\n";
        };
        List<String> badPairs = checkInBatches(pairIndex, pairProbe, false, 512);
        if (!bad.isEmpty() || !badPairs.isEmpty()) {
            fail("NFC differs from HF for " + bad.size() + " code points and " + badPairs.size() + " pairs:\n"
                    + String.join("\n", bad) + "\n" + String.join("\n", badPairs));
        }
        assertTrue(cps.size() > 5000 && pairs.size() > 900, cps.size() + " code points, " + pairs.size() + " pairs");
    }

    /**
     * Why the fast engine carries its own tables: Java 17's {@link Character} is Unicode 13.0 and
     * {@link Normalizer} normalizes with Unicode 13.0 data, while HF splits with Unicode 16.0
     * classes and normalizes with Unicode 9.0 data. Counts the code points where Java would be wrong.
     */
    @Test
    void javaSeventeenTablesDisagreeWithHfWhereOursAgree() {
        int letterOrNumberDiffs = 0;
        for (int cp = 0; cp < 0x110000; cp++) {
            int java = Character.getType(cp);
            boolean javaL = java >= Character.UPPERCASE_LETTER && java <= Character.OTHER_LETTER;
            boolean javaN = java == Character.DECIMAL_DIGIT_NUMBER || java == Character.LETTER_NUMBER
                    || java == Character.OTHER_NUMBER;
            int ours = UnicodeTables.cls(cp);
            if (javaL != (ours == UnicodeTables.LETTER) || javaN != (ours == UnicodeTables.NUMBER)) {
                letterOrNumberDiffs++;
            }
        }
        // 9,917 code points: mostly letters and numbers assigned in Unicode 14.0-16.0 (e.g. CJK Extension H)
        assertTrue(letterOrNumberDiffs > 9_000, "differences: " + letterOrNumberDiffs);
        int extH = 0x31350; // CJK Unified Ideographs Extension H (Unicode 15.0)
        assertEquals(Character.UNASSIGNED, Character.getType(extH));
        assertEquals(UnicodeTables.LETTER, UnicodeTables.cls(extH));
        String s = "x" + new String(Character.toChars(extH)) + "y 1";
        assertNull(diff.compareSplits(s));
        int[] words = diff.hfWithWords(s)[1];
        assertEquals(0, words[0]);
        assertEquals(0, words[words.length - 3], "x, the ideograph and y are one \\p{L}+ piece in HF");

        // combining marks that Java 17 knows (Unicode 10.0-13.0) but HF's Unicode 9.0 NFC does not
        List<Integer> newMarks = new ArrayList<>();
        for (int cp = 0; cp < 0x110000; cp++) {
            VersionInfo age = UCharacter.getAge(cp);
            if (age.compareTo(VersionInfo.getInstance(9, 0, 0)) > 0 && age.compareTo(VersionInfo.getInstance(13, 0, 0)) <= 0
                    && UCharacter.getCombiningClass(cp) > 220) {
                newMarks.add(cp);
            }
        }
        assertTrue(newMarks.size() > 10, "marks: " + newMarks.size());
        int javaWouldReorder = 0;
        for (int cp : newMarks) {
            String t = "a" + new String(Character.toChars(cp)) + "\u0316";
            String hfText = diff.hf.decode(diff.hf.encode(t));
            assertEquals(t, hfText, "HF leaves marks unknown to Unicode 9.0 in place");
            assertNull(diff.compareIds(t));
            if (!Normalizer.normalize(t, Normalizer.Form.NFC).equals(hfText)) {
                javaWouldReorder++;
            }
        }
        assertEquals(newMarks.size(), javaWouldReorder, "java.text.Normalizer reorders all of them");
        System.out.printf(Locale.ROOT, "Java 17 vs Oniguruma (Unicode 16.0): %d code points differ in L/N; "
                + "%d combining marks of Unicode 10-13 with ccc > 220 that Java's NFC reorders and HF's does not%n",
                letterOrNumberDiffs, newMarks.size());
    }

    /** Probes code points in batches; a failing batch is searched one code point at a time. */
    private static List<String> checkInBatches(List<Integer> items, IntFunction<String> probe, boolean splits, int batch) {
        List<String> bad = new ArrayList<>();
        for (int from = 0; from < items.size() && bad.size() < 20; from += batch) {
            List<Integer> part = items.subList(from, Math.min(items.size(), from + batch));
            StringBuilder b = new StringBuilder();
            part.forEach(cp -> b.append(probe.apply(cp)));
            String d = splits ? diff.compareSplits(b.toString()) : diff.compareIds(b.toString());
            if (d == null) {
                continue;
            }
            int before = bad.size();
            for (int cp : part) {
                String p = probe.apply(cp);
                String one = splits ? diff.compareSplits(p) : diff.compareIds(p);
                if (one != null && bad.size() < 20) {
                    bad.add(String.format(Locale.ROOT, "U+%04X (our class %d): %s", cp, UnicodeTables.cls(cp), one));
                }
            }
            if (bad.size() == before) {
                bad.add("batch from index " + from + " differs but no single probe does: " + d);
            }
        }
        return bad;
    }

    @Test
    void nfcAgreesWithJavaWhereUnicodeNineAndThirteenAgree() {
        // sanity of Nfc9 against the JDK on text made only of code points of Unicode 9.0
        String[] samples = {"e\u0301", "A\u030A", "\u212B", "\u1100\u1161\u11A8", "\uAC00\u11A8", "a\u0315\u0300\u05AE b",
            "\u0FB2\u0F80", "\u0DD9\u0DCF\u0DCA", "\uD834\uDD5E", "\u0344", "\u1E0A\u0323", "q\u0307\u0323"};
        Workspace ws = new Workspace(1);
        for (String s : samples) {
            char[] c = s.toCharArray();
            String ours = new String(ws.norm, 0, Nfc9.normalize(c, 0, c.length, ws));
            assertEquals(Normalizer.normalize(s, Normalizer.Form.NFC), ours, Differential.escape(s));
            assertNotEquals(-1, ours.length());
        }
    }
}
