package dev.hallmark.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.Detector;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.VllmKey;
import dev.hallmark.testing.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Specs, key binding and bad input of the vllm-* schemes. */
class VllmSchemeTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "vllm-gumbel:context=4,dedup=true",
        "vllm-gumbel:context=1,dedup=false",
        "vllm-gumbel:context=16,dedup=true,vocab=151669",
        "vllm-dual-key-gumbel:context=4,alpha=0.1,dedup=true",
        "vllm-dual-key-gumbel:context=5,alpha=0.5,dedup=false",
        "vllm-dual-key-gumbel:context=4,alpha=0,dedup=true",
        "vllm-dual-key-gumbel:context=4,alpha=1,dedup=true",
        "vllm-sbw:scheme=selfhash,context=4,gamma=0.5,dedup=true",
        "vllm-sbw:scheme=lefthash,context=1,gamma=0.25,dedup=true",
        "vllm-sbw:scheme=selfhash,context=1,gamma=0.5,dedup=false,vocab=128",
    })
    void canonicalSpecsRoundTrip(String spec) {
        Scheme s = Scheme.parse(spec);
        assertEquals(spec, s.toString());
        assertEquals(s, Scheme.parse(s.toString()));
        assertTrue(s.canEmbed());
        assertEquals(Scheme.KeyKind.VLLM, s.keyKind());
        assertEquals(0, s.contextWidth(), "vLLM scores every position");
        assertTrue(s instanceof VllmScheme);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "vllm-gumbel|vllm-gumbel:context=4,dedup=true",
        "vllm-gumbel:dedup=false,context=2|vllm-gumbel:context=2,dedup=false",
        "VLLM-GUMBEL:Context=3|vllm-gumbel:context=3,dedup=true",
        "vllm-dual-key-gumbel|vllm-dual-key-gumbel:context=4,alpha=0.1,dedup=true",
        "vllm-dual-key-gumbel:dedup=true,alpha=0.40,context=4|vllm-dual-key-gumbel:context=4,alpha=0.4,dedup=true",
        "vllm-sbw|vllm-sbw:scheme=selfhash,context=4,gamma=0.5,dedup=true",
        "vllm-sbw:scheme=lefthash|vllm-sbw:scheme=lefthash,context=1,gamma=0.5,dedup=true",
        "vllm-sbw:dedup=false,gamma=0.25,context=3,scheme=selfhash|vllm-sbw:scheme=selfhash,context=3,gamma=0.25,dedup=false",
        "vllm:algorithm=gumbel|vllm-gumbel:context=4,dedup=true",
        "vllm:algorithm=dual_key_gumbel,alpha=0.2|vllm-dual-key-gumbel:context=4,alpha=0.2,dedup=true",
        "vllm:algorithm=sbw,scheme=lefthash,context=2|vllm-sbw:scheme=lefthash,context=2,gamma=0.5,dedup=true",
        "vllm-gumbel:key=42,context=4|vllm-gumbel:context=4,dedup=true",
        "vllm-sbw:context=4,key=18446744073709551615|vllm-sbw:scheme=selfhash,context=4,gamma=0.5,dedup=true",
    })
    void parametersInAnyOrderAndDefaults(String spec, String canonical) {
        assertEquals(canonical, Scheme.parse(spec).toString());
    }

    @Test
    void inlineKeyBindsButIsNeverPrinted() {
        VllmScheme s = (VllmScheme) Scheme.parse("vllm-gumbel:context=4,key=15726070495360670683");
        assertEquals(VllmKey.parse("15726070495360670683"), s.inlineKey());
        assertFalse(s.toString().contains("15726070495360670683"));
        KeyedScheme k = KeyedScheme.of(s);
        assertEquals(VllmKey.parse("15726070495360670683").id(), k.keyId());
        assertNull(((VllmScheme) k.scheme()).inlineKey(), "the bound scheme drops the inline key");
        assertEquals(Scheme.parse("vllm-gumbel:context=4"), k.scheme());
        // an explicit key wins over the inline one
        assertEquals(VllmKey.of(7).id(), KeyedScheme.of(s, VllmKey.of(7)).keyId());
    }

    @Test
    void keyBindingErrorsSayWhatIsNeeded() {
        Scheme s = Scheme.parse("vllm-sbw");
        String m = assertThrows(IllegalArgumentException.class, () -> KeyedScheme.of(s)).getMessage();
        assertTrue(m.contains("needs vLLM's 64-bit key") && m.contains("--vllm-key"), m);
        m = assertThrows(IllegalArgumentException.class, () -> KeyedScheme.of(s, TestKeys.key(1))).getMessage();
        assertTrue(m.contains("takes vLLM's 64-bit key, not a Hallmark key"), m);
        m = assertThrows(IllegalArgumentException.class, () -> KeyedScheme.of(Scheme.parse("gumbel"), VllmKey.of(1)))
                .getMessage();
        assertTrue(m.contains("a vLLM key binds only the vllm-* schemes"), m);
        m = assertThrows(IllegalArgumentException.class, () -> WatermarkSampler.watermarked(
                KeyedScheme.of(s, VllmKey.of(1)), SamplingConfig.defaults(), 100)).getMessage();
        assertTrue(m.contains("use VllmSampler"), m);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "vllm-gumbel:key=-1|vLLM key -1 is negative",
        "vllm-gumbel:key=18446744073709551616|vLLM key 18446744073709551616 is 2^64 or more",
        "vllm-gumbel:key=abc|vLLM key 'abc' is not a decimal integer",
        "vllm-dual-key-gumbel:alpha=1.5|alpha must be in [0, 1] (the weight of key B), got 1.5",
        "vllm-dual-key-gumbel:alpha=-0.1|alpha must be in [0, 1] (the weight of key B), got -0.1",
        "vllm-dual-key-gumbel:alpha=lots|alpha=lots is not a number",
        "vllm-gumbel:context=0|context must be in [1, 1024] (vLLM's context_width), got 0",
        "vllm-sbw:context=-2|context must be in [1, 1024] (vLLM's context_width), got -2",
        "vllm-sbw:scheme=minhash|scheme 'minhash' is not an SBW seeding scheme (known: selfhash, lefthash)",
        "vllm-sbw:gamma=1|gamma must be in (0, 1) (the green fraction), got 1",
        "vllm-sbw:gamma=1e-12|int(gamma * 0x7FFFFFFF) is 0",
        "vllm:algorithm=kgw|algorithm 'kgw' is not a vLLM watermarking algorithm (known: gumbel, dual_key_gumbel, sbw)",
        "vllm:context=4|algorithm is required for vllm",
        "vllm-gumble:context=4|unknown scheme 'vllm-gumble'",
        "vllm-gumbel:gamma=0.5|unknown parameter 'gamma' for scheme vllm-gumbel",
        "vllm-gumbel:vocab=0|vocab must be a vocabulary size >= 1, got 0",
        "vllm-gumbel:dedup=maybe|dedup=maybe is not true or false",
    })
    void badSpecsNameTheValue(String spec, String part) {
        String m = assertThrows(IllegalArgumentException.class, () -> Scheme.parse(spec)).getMessage();
        assertTrue(m.contains(part), m);
    }

    @Test
    void errorsNeverEchoAValidInlineKey() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> Scheme.parse("vllm-gumbel:key=15726070495360670683,context=0")).getMessage();
        assertFalse(m.contains("15726070495360670683"), m);
        assertTrue(m.contains("key=<redacted>"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> Scheme.parse("vllm-gumbl:key=15726070495360670683")).getMessage();
        assertFalse(m.contains("15726070495360670683"), m);
    }

    @Test
    void idsOutsideTheVocabularyAreErrorsNamingTheValue() {
        Detector d = Detector.of(KeyedScheme.of(Scheme.parse("vllm-gumbel:vocab=100,key=1")));
        String m = assertThrows(IllegalArgumentException.class,
                () -> d.detect(new int[] {1, 2, 100, 3}, DetectOptions.defaults())).getMessage();
        assertTrue(m.contains("token id 100 at position 2 is outside the vocabulary [0, 100)"), m);
        Detector any = Detector.of(KeyedScheme.of(Scheme.parse("vllm-sbw:key=1")));
        m = assertThrows(IllegalArgumentException.class,
                () -> any.detect(new int[] {1, -1, 3}, DetectOptions.defaults())).getMessage();
        assertTrue(m.contains("token id -1 at position 1 is negative"), m);
    }

    @Test
    void nullModels() {
        assertEquals(new NullModel.Gamma(), KeyedScheme.of(Scheme.parse("vllm-gumbel:key=1")).nullModel());
        assertEquals(new NullModel.WeightedExp(0.3),
                KeyedScheme.of(Scheme.parse("vllm-dual-key-gumbel:alpha=0.3,key=1")).nullModel());
        assertEquals(new NullModel.Binomial(1, 1073741823 / 2147483648.0),
                KeyedScheme.of(Scheme.parse("vllm-sbw:key=1")).nullModel());
    }

    /**
     * A seed of 0 with token 0 (lefthash after a context of 0s; selfhash where the -1 pad, whose hash
     * is 0, is in the context) is a unit like any other: corpus-level and per-text detection count it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vllm-sbw:scheme=lefthash,context=1", "vllm-sbw:scheme=selfhash,context=3"})
    void sbwUnitsWithSeedZeroAndTokenZeroAreCounted(String spec) {
        KeyedScheme k = KeyedScheme.of(Scheme.parse(spec), VllmKey.of(42));
        int[] ids = {0, 0, 0, 5, 0, 0, 7, 0};
        long[] unit = new long[2];
        for (int t = 0; t < ids.length; t++) {
            k.score(ids, t, unit);
            assertFalse(unit[0] == 0 && unit[1] == 0, "position " + t);
        }
        var r = Detector.of(k).detect(ids, DetectOptions.defaults());
        dev.hallmark.detect.CorpusAccumulator acc = new dev.hallmark.detect.CorpusAccumulator(k);
        acc.accept(ids);
        acc.accept(ids.clone());
        assertEquals(r.independent().count(), acc.result(1e-3).independent().count(), "repeats across texts count once");
        assertTrue(r.independent().count() >= 3, r.toString());
    }
}
