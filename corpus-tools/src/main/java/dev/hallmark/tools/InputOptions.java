package dev.hallmark.tools;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Mixin {@code --input FILE [--format FORMAT] [--field PATH] [--turns last|all]}: the records a
 * command reads, through {@link InputRecords} (every format the verifier service takes, detected
 * from the content unless given). A new input format is a new {@link InputRecords.Format} (and, if
 * it needs one, an option here), so every command with this mixin reads it.
 */
public final class InputOptions {

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "Input file: JSONL, chat "
            + "transcripts (OpenAI messages, ShareGPT, Alpaca), CSV/TSV, Parquet, text or token ids; gzip or zstd.")
    Path input;

    @Option(names = "--format", defaultValue = "auto", paramLabel = "FORMAT", description = "auto (detected from the "
            + "content) | jsonl | chat | csv | tsv | parquet | text (the whole file is one document) | ids (token ids, "
            + "one document per line) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--field", paramLabel = "PATH", description = "Where the documents are: a JSONL field or dotted "
            + "path (response.text), a CSV/TSV or Parquet column, or the array of chat turns (default: text, else "
            + "completion; chats: their turns).")
    String field;

    @Option(names = "--turns", defaultValue = "all", paramLabel = "last|all", description = "Chats: every assistant "
            + "turn is a document, or only the last of each record; the turns before it are its prompt "
            + "(default: ${DEFAULT-VALUE}).")
    String turns;

    public Path path() {
        return input;
    }

    /** The parsed {@code --format}. */
    public InputRecords.Format format() {
        return InputRecords.parseFormat(format);
    }

    /** Opens the input as streamed records. */
    InputRecords open() throws IOException {
        return InputRecords.open(input, format(), field, "ids", InputRecords.parseTurns(turns));
    }

    /** A summary of what {@link #open()} reads, for the command's report. */
    InputSummary summary() {
        return new InputSummary(input);
    }

    /** How messages name a record: its id (with the chat turn), else where it is (the line, row or file). */
    String label(InputRecords.Record r) {
        return r.id() != null ? r.id() + (r.turn() >= 0 ? " turn " + (r.turn() + 1) : "") : r.location();
    }
}
