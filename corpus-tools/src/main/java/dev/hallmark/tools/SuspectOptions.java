package dev.hallmark.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * Mixin {@code --suspect FILE [--format FORMAT] [--field PATH] [--ids-field NAME] [--turns last|all]}:
 * a suspect model's outputs (from {@code hallmark generate}, any harvest, or chat transcripts),
 * read as token ids with their prompts: in chats the assistant turns, each with the turns before it
 * as its prompt, which the tests leave out (as the verifier service's radioactivity scans do).
 */
public final class SuspectOptions {

    @Option(names = "--suspect", required = true, paramLabel = "FILE", description = "Suspect model outputs: JSONL "
            + "(hallmark generate's, or any), chat transcripts, CSV/TSV or Parquet; gzip or zstd.")
    Path suspect;

    @Option(names = "--format", defaultValue = "auto", paramLabel = "FORMAT", description = "auto (detected from the "
            + "content) | jsonl | chat | csv | tsv | parquet (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--field", paramLabel = "PATH", description = "Where the texts are: a JSONL field or dotted path, "
            + "a CSV/TSV or Parquet column, or the array of chat turns (default: text, else completion; chats: their "
            + "turns).")
    String field;

    @Option(names = "--ids-field", defaultValue = "completion_ids", paramLabel = "NAME",
            description = "JSONL token-ids field, preferred when present (default: ${DEFAULT-VALUE}).")
    String idsField;

    @Option(names = "--turns", defaultValue = "all", paramLabel = "last|all", description = "Chats: every assistant "
            + "turn, or only the last of each record (default: ${DEFAULT-VALUE}).")
    String turns;

    public Path path() {
        return suspect;
    }

    /** Every suspect record, tokenized (ids field first, else the text); returns what was read. */
    InputSummary forEach(TokenizedRecords records, Consumer<TokenizedRecords.Doc> action) throws IOException {
        return records.forEach(suspect, InputRecords.parseFormat(format), field, idsField,
                InputRecords.parseTurns(turns), action);
    }

    /**
     * Every record of another file (the served data) as token ids: its format detected from its
     * content, the same field, ids field and turns.
     */
    List<int[]> readAll(TokenizedRecords records, Path file) throws IOException {
        return records.readAll(file, InputRecords.Format.AUTO, field, idsField, InputRecords.parseTurns(turns));
    }
}
