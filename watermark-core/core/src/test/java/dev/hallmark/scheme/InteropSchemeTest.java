package dev.hallmark.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.interop.KgwSeeding;
import dev.hallmark.interop.SynthIdKeys;
import dev.hallmark.testing.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Specs, key binding and embed refusal of the verification-only interop schemes. */
class InteropSchemeTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "hf-kgw:gamma=0.25,scheme=selfhash,vocab=151669,ignore_repeated_ngrams=true",
        "hf-kgw:gamma=0.25,scheme=lefthash,vocab=50257,ignore_repeated_ngrams=false",
        "hf-kgw:gamma=0.5,scheme=minhash,vocab=128256,ignore_repeated_ngrams=true",
        "hf-kgw:gamma=0.25,scheme=skipgram,vocab=32000,ignore_repeated_ngrams=true",
        "hf-kgw:gamma=0.25,scheme=ff-additive_prf-2-False-15485863,vocab=151669,ignore_repeated_ngrams=true",
        "hf-kgw:gamma=0.25,scheme=ff-anchored_minhash_prf-4-True-12345,vocab=151669,ignore_repeated_ngrams=true",
        "hf-kgw:gamma=0.25,scheme=hf-lefthash,vocab=151669,ignore_repeated_ngrams=false",
        "hf-kgw:gamma=0.25,scheme=hf-selfhash,vocab=151669,ignore_repeated_ngrams=false",
        "hf-kgw:gamma=0.25,scheme=hf-selfhash-3-42,vocab=151669,ignore_repeated_ngrams=false",
        "synthid-ref:ngram_len=5,context_history=1024",
        "synthid-ref:ngram_len=3,context_history=64",
        "synthid-ref:ngram_len=5,context_history=1024,eos_token_id=151643",
    })
    void canonicalSpecsRoundTrip(String spec) {
        Scheme s = Scheme.parse(spec);
        assertEquals(spec, s.toString());
        assertEquals(s, Scheme.parse(s.toString()));
        assertFalse(s.canEmbed(), "interop schemes verify only");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // the lm-watermarking short names are canonical for their exact free-form settings
        "hf-kgw:scheme=ff-anchored_minhash_prf-4-True-15485863,vocab=151669"
                + "|hf-kgw:gamma=0.25,scheme=selfhash,vocab=151669,ignore_repeated_ngrams=true",
        "hf-kgw:vocab=151669|hf-kgw:gamma=0.25,scheme=selfhash,vocab=151669,ignore_repeated_ngrams=true",
        "HF-KGW:scheme=ff-additive_prf-1-False,vocab=100,gamma=0.5"
                + "|hf-kgw:gamma=0.5,scheme=lefthash,vocab=100,ignore_repeated_ngrams=true",
        "hf-kgw:scheme=hf-selfhash-1-15485863,vocab=100|hf-kgw:gamma=0.25,scheme=hf-selfhash,vocab=100,ignore_repeated_ngrams=true",
        "synthid-ref|synthid-ref:ngram_len=5,context_history=1024",
        "synthid-ref:context_history=16|synthid-ref:ngram_len=5,context_history=16",
    })
    void partialSpecsTakeTheReferenceDefaults(String spec, String canonical) {
        assertEquals(canonical, Scheme.parse(spec).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "hf-kgw|vocab is required for hf-kgw",
        "hf-kgw:scheme=selfhash|vocab is required",
        "hf-kgw:vocab=1|vocab must be in [2,",
        "hf-kgw:vocab=abc|vocab=abc is not an integer",
        "hf-kgw:vocab=100,gamma=1|gamma must be in (0, 1)",
        "hf-kgw:vocab=3,gamma=0.25|int(vocab * gamma) = int(3 * 0.25) is 0",
        "hf-kgw:vocab=100,scheme=foo|unknown seeding scheme 'foo'",
        "hf-kgw:vocab=100,scheme=ff-nope_prf-4-True|unknown lm-watermarking PRF 'nope_prf'",
        "hf-kgw:vocab=100,scheme=ff-additive_prf-4-Yes|must be True or False",
        "hf-kgw:vocab=100,ignore_repeated_ngrams=maybe|is not true or false",
        "hf-kgw:vocab=100,delta=2|unknown parameter 'delta'",
        "synthid-ref:ngram_len=1|ngram_len must be in [2, 64]",
        "synthid-ref:context_history=0|context_history must be in [1,",
        "synthid-ref:eos_token_id=-1|eos_token_id must be a token id >= 0",
        "synthid-ref:keys=1|unknown parameter 'keys'",
    })
    void badSpecsGiveClearErrors(String spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scheme.parse(spec));
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains(spec) || spec.equals("hf-kgw"), "the message names the spec: " + e.getMessage());
    }

    @Test
    void contextWidthIsTheScoredNgramLengthMinusOne() {
        // selfhash: context width 4, self-salted -> 4-grams -> 3 context tokens
        assertEquals(3, Scheme.parse("hf-kgw:scheme=selfhash,vocab=1000").contextWidth());
        assertEquals(1, Scheme.parse("hf-kgw:scheme=lefthash,vocab=1000").contextWidth());
        assertEquals(0, Scheme.parse("hf-kgw:scheme=hf-selfhash,vocab=1000").contextWidth());
        assertEquals(3, Scheme.parse("hf-kgw:scheme=hf-lefthash-3-15485863,vocab=1000").contextWidth());
        assertEquals(4, Scheme.parse("synthid-ref").contextWidth());
        HfKgwScheme s = (HfKgwScheme) Scheme.parse("hf-kgw:scheme=selfhash,vocab=151669");
        assertEquals(KgwSeeding.selfhash(), s.seeding());
        assertEquals(37917, s.greenlistSize());
    }

    @Test
    void keyBinding() {
        Scheme hf = Scheme.parse("hf-kgw:vocab=1000");
        assertEquals(Scheme.KeyKind.NONE, hf.keyKind());
        assertNull(KeyedScheme.of(hf).keyId(), "no key, no key id");
        assertNull(KeyedScheme.of(hf, TestKeys.key(1)).keyId(), "a Hallmark key is ignored");

        Scheme sid = Scheme.parse("synthid-ref");
        assertEquals(Scheme.KeyKind.SYNTHID_KEYS, sid.keyKind());
        SynthIdKeys keys = SynthIdKeys.of(11, 22, 33);
        KeyedScheme k = KeyedScheme.of(sid, keys);
        assertEquals(keys.id(), k.keyId());
        assertEquals(new NullModel.Binomial(3, 0.5), k.nullModel());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyedScheme.of(sid, TestKeys.key(1)));
        assertTrue(e.getMessage().contains("int64 keys, not a Hallmark key"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KeyedScheme.of(sid));
        assertTrue(e.getMessage().contains("--synthid-keys"), e.getMessage());

        Scheme kgw = Scheme.parse("kgw");
        assertEquals(Scheme.KeyKind.HALLMARK, kgw.keyKind());
        e = assertThrows(IllegalArgumentException.class, () -> KeyedScheme.of(kgw));
        assertTrue(e.getMessage().contains("needs a Hallmark key"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KeyedScheme.of(kgw, keys));
        assertTrue(e.getMessage().contains("bind only the synthid-ref scheme"), e.getMessage());
    }

    @Test
    void nullProbabilityIsTheExactGreenListFraction() {
        HfKgwKeyed k = (HfKgwKeyed) KeyedScheme.of(Scheme.parse("hf-kgw:scheme=lefthash,vocab=151669"));
        assertEquals(new NullModel.Binomial(1, 37917.0 / 151669), k.nullModel());
    }

    @Test
    void verificationOnlySchemesCannotEmbedOrAttribute() {
        KeyedScheme hf = KeyedScheme.of(Scheme.parse("hf-kgw:vocab=1000"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WatermarkSampler.watermarked(hf, SamplingConfig.defaults(), 1000));
        assertTrue(e.getMessage().contains("verifies only; it cannot embed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new AccountKeys(TestKeys.key(1), Scheme.parse("hf-kgw:scheme=lefthash,vocab=1000"), AccountCode.defaults()));
        assertTrue(e.getMessage().contains("account attribution needs a scheme keyed by Hallmark keys"), e.getMessage());
    }
}
