package dev.hallmark.service;

import dev.hallmark.key.KeyFile;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KgwScheme;
import dev.hallmark.scheme.Scheme;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The {@code --demo} data, packed into the jar from {@code datasets/demo/} by the build:
 * <ul>
 *   <li>{@code demo-key.json}: the <b>published</b> demo key (its secret is public: it proves
 *       nothing about real text; see {@code datasets/demo/README.md});
 *   <li>{@code demo-corpus.jsonl.gz}: 24 completions of the project's default language model
 *       watermarked with that key (scheme {@code kgw} defaults), 24 unwatermarked completions of
 *       the same model and 16 human documents, made once by {@code datasets/demo/build-demo.sh}
 *       (see its DATASHEET). The service itself runs no language model.
 * </ul>
 * Document ids tell the kinds apart: {@code demo-wm-*}, {@code demo-plain-*}, {@code demo-human-*}.
 */
public final class DemoCorpus {

    static final String KEY_RESOURCE = "/demo/demo-key.json";
    static final String CORPUS_RESOURCE = "/demo/demo-corpus.jsonl.gz";
    static final String WATERMARKED_PREFIX = "demo-wm-";
    static final String PLAIN_PREFIX = "demo-plain-";
    static final String HUMAN_PREFIX = "demo-human-";
    static final int WATERMARKED_DOCS = 24;
    static final int PLAIN_DOCS = 24;
    static final int HUMAN_DOCS = 16;

    private DemoCorpus() {}

    /** The scheme the demo documents were watermarked with. */
    static Scheme scheme() {
        return KgwScheme.defaults();
    }

    static String description() {
        return WATERMARKED_DOCS + " completions of the default LM watermarked with the PUBLIC demo key, "
                + PLAIN_DOCS + " unwatermarked completions of the same LM, " + HUMAN_DOCS
                + " human documents (datasets/demo)";
    }

    /** The published demo key. */
    static WatermarkKey key() throws IOException {
        try (InputStream in = open(KEY_RESOURCE)) {
            return KeyFile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "jar:" + KEY_RESOURCE);
        }
    }

    /** Copies the corpus (gzip JSONL, text in field {@code text}) to {@code out}. */
    static void copyCorpus(Path out) throws IOException {
        try (InputStream in = open(CORPUS_RESOURCE)) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = DemoCorpus.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("demo resource " + resource + " is missing from the jar (built without datasets/demo?)");
        }
        return in;
    }
}
