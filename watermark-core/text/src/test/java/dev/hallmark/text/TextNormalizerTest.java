package dev.hallmark.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TextNormalizerTest {

    @Test
    void nfkcFoldsCompatibilityForms() {
        TextNormalizer n = TextNormalizer.of(TextNormalizer.Step.NFKC);
        assertEquals("Hello fi 2", n.apply("Ｈｅｌｌｏ\u00A0ﬁ ²"));
    }

    @Test
    void zeroWidthCharactersAreRemoved() {
        TextNormalizer n = TextNormalizer.of(TextNormalizer.Step.ZERO_WIDTH);
        assertEquals("watermark", n.apply("wa\u200Bter\u200Cma\u200Dr\uFEFFk\u2060"));
        assertEquals("soft", n.apply("so\u00ADft"));
        String clean = "nothing to remove";
        assertSame(clean, n.apply(clean));
    }

    @Test
    void homoglyphsFoldToLatin() {
        TextNormalizer n = TextNormalizer.of(TextNormalizer.Step.HOMOGLYPHS);
        // "Cocoa Pop" written with Cyrillic С, о, с, а, Р and Greek ο
        assertEquals("Cocoa Pop", n.apply("\u0421\u043E\u0441\u043Ea \u0420\u03BFp"));
        // letters without a Latin look-alike stay
        assertEquals("\u0436\u03BB", n.apply("\u0436\u03BB"));
    }

    @Test
    void allStepsInFixedOrder() {
        // full-width Cyrillic does not exist; NFKC first turns full-width 'ａ' into 'a', the zero-width
        // joiner goes, and Cyrillic 'е' becomes 'e'
        assertEquals("ae", TextNormalizer.all().apply("ａ\u200D\u0435"));
        assertEquals(TextNormalizer.all().apply("x\u200By"),
                TextNormalizer.of(TextNormalizer.Step.HOMOGLYPHS, TextNormalizer.Step.ZERO_WIDTH,
                        TextNormalizer.Step.NFKC).apply("x\u200By"));
        assertEquals("a\u200Bb", TextNormalizer.none().apply("a\u200Bb"));
    }
}
