/**
 * Hallmark corpus: streaming readers, with bounded memory, of the corpora analysts are handed
 * (JSONL with nested field paths, chat transcripts, CSV/TSV, Parquet, plain text; gzip or zstd),
 * with the format detected from the content. Entry point: {@link dev.hallmark.corpus.CorpusReader#open}.
 *
 * <p>parquet-java (page decoding and record assembly) has no module names and splits packages
 * across its jars; it is read from the class path ({@code --add-reads dev.hallmark.corpus=ALL-UNNAMED}
 * when compiling), so run this module on the class path.
 */
module dev.hallmark.corpus {
    requires com.fasterxml.jackson.databind;
    requires org.apache.commons.csv;

    exports dev.hallmark.corpus;
}
