package dev.hallmark.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SchemeSpecTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash",
        "kgw:gamma=0.25,delta=2,context=3,seeding=selfhash",
        "kgw:gamma=0.5,delta=1.5,context=4,seeding=lefthash",
        "unigram:gamma=0.5,delta=2",
        "gumbel:context=4",
        "gumbel:context=1",
        "synthid:context=4,layers=30,leaves=2",
        "synthid:context=2,layers=16,leaves=3",
    })
    void canonicalSpecsRoundTrip(String spec) {
        assertEquals(spec, Scheme.parse(spec).toString());
        assertEquals(Scheme.parse(spec), Scheme.parse(Scheme.parse(spec).toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "kgw|kgw:gamma=0.25,delta=2,context=1,seeding=lefthash",
        "unigram|unigram:gamma=0.5,delta=2",
        "gumbel|gumbel:context=4",
        "synthid|synthid:context=4,layers=30,leaves=2",
        "KGW:delta=2.0|kgw:gamma=0.25,delta=2,context=1,seeding=lefthash",
        "kgw:seeding=selfhash,context=3|kgw:gamma=0.25,delta=2,context=3,seeding=selfhash",
    })
    void bareNamesAndPartialSpecsTakeDocumentedDefaults(String spec, String canonical) {
        assertEquals(canonical, Scheme.parse(spec).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "foo|unknown scheme 'foo'",
        "''|empty scheme spec",
        "kgw:|no parameters",
        "kgw:gamma|not of the form key=value",
        "kgw:gamma=2|gamma must be in (0, 1)",
        "kgw:gamma=abc|gamma=abc is not a number",
        "kgw:delta=-1|delta must be in (0, 100]",
        "kgw:context=0|unigram",
        "kgw:seeding=minhash|must be lefthash or selfhash",
        "kgw:colour=red|unknown parameter 'colour'",
        "kgw:gamma=0.1,gamma=0.2|given twice",
        "gumbel:context=0|context must be in [1, 16]",
        "synthid:layers=65|layers must be in [1, 64]",
        "synthid:leaves=1|leaves must be in [2, 64]",
        "unigram:context=2|unknown parameter 'context'",
    })
    void badSpecsGiveClearErrors(String spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scheme.parse(spec));
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
    }
}
