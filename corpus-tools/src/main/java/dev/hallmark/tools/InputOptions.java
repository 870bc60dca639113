package dev.hallmark.tools;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Mixin {@code --input FILE [--format text|ids|jsonl] [--field NAME]}: the records a command reads,
 * through {@link InputRecords}. A new input format is a new {@link InputRecords.Format} (and, if it
 * needs one, an option here), so every command with this mixin reads it.
 */
public final class InputOptions {

    @Option(names = "--input", required = true, description = "Input file (.gz is decompressed).")
    Path input;

    @Option(names = "--format", defaultValue = "jsonl", description = "text | ids | jsonl (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--field", defaultValue = "text", description = "JSONL field holding the text (default: ${DEFAULT-VALUE}).")
    String field;

    public Path path() {
        return input;
    }

    /** The parsed {@code --format}. */
    public InputRecords.Format format() {
        return InputRecords.parseFormat(format);
    }

    /** Opens the input as streamed records. */
    InputRecords open() throws IOException {
        return InputRecords.open(input, format(), field);
    }

    /** How messages name a record: its id, else the file (one text), else its line. */
    String label(InputRecords.Record r) {
        return r.id() != null ? r.id() : format() == InputRecords.Format.TEXT ? input.toString() : "line " + r.line();
    }
}
