package dev.hallmark.tools;

import dev.hallmark.tools.attack.WordNet;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Mixin {@code [--wordnet DIR]}: the WordNet 3.0 database of the word attacks (synonym). */
public final class WordNetOption {

    @Option(names = "--wordnet",
            description = "WordNet 3.0 database directory (default: $HALLMARK_WORDNET or /usr/share/wordnet).")
    Path wordnet;

    /** Loads the database (given, else the default). */
    public WordNet load() {
        return wordnet != null ? WordNet.load(wordnet) : WordNet.loadDefault();
    }

    /** The directory as recorded in provenance: the one given, else the Debian path. */
    public Path describe() {
        return wordnet != null ? wordnet : WordNet.DEBIAN_PATH;
    }
}
