package dev.hallmark.testing;

import dev.hallmark.scheme.Scheme;
import java.util.List;

/** The schemes every contract test runs against: each scheme's defaults plus its main variants. */
public final class SchemeCases {
    private SchemeCases() {}

    public static List<String> specs() {
        return List.of(
                "kgw",
                "kgw:gamma=0.25,delta=2,context=3,seeding=selfhash",
                "unigram",
                "gumbel",
                "synthid",
                "synthid:context=4,layers=30,leaves=3");
    }

    public static List<Scheme> schemes() {
        return specs().stream().map(Scheme::parse).toList();
    }
}
