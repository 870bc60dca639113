package dev.hallmark.corpus;

import java.io.IOException;
import java.nio.file.Path;

/** Opens a corpus: detects what the options leave open ({@link Sniffer}) and picks the reader. */
final class Readers {

    private Readers() {}

    static CorpusReader open(Path file, CorpusOptions o) throws IOException {
        CorpusFormat f = o.format();
        boolean detected = f == null;
        if (detected) {
            f = Sniffer.detect(file, o);
        }
        if (f == CorpusFormat.PARQUET) {
            Sniffer.requireUncompressedParquet(file, o.limits());
            return new ParquetReader(file, detected, o);
        }
        ByteInput bytes = ByteInput.open(file, o.limits());
        try {
            return switch (f) {
                case JSONL, CHAT -> new JsonlReader(new LineInput(bytes, o.limits().maxRecordChars()), f, detected, o);
                case CSV, TSV -> new CsvReader(bytes, f, detected, o);
                case TEXT -> new TextReader(new LineInput(bytes, o.limits().maxRecordChars()), o.split(), detected);
                case PARQUET -> throw new IllegalStateException();
            };
        } catch (IOException | RuntimeException e) {
            bytes.close();
            throw e;
        }
    }
}
