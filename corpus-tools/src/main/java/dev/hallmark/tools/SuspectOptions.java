package dev.hallmark.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * Mixin {@code --suspect FILE [--field NAME] [--ids-field NAME]}: a suspect model's outputs (JSONL
 * records from {@code hallmark generate} or any harvest), read as token ids with their prompts.
 */
public final class SuspectOptions {

    @Option(names = "--suspect", required = true, description = "Suspect model outputs (JSONL; .gz ok).")
    Path suspect;

    @Option(names = "--field", defaultValue = "completion", description = "JSONL text field (default: ${DEFAULT-VALUE}).")
    String field;

    @Option(names = "--ids-field", defaultValue = "completion_ids",
            description = "JSONL ids field, preferred when present (default: ${DEFAULT-VALUE}).")
    String idsField;

    public Path path() {
        return suspect;
    }

    /** Every suspect record, tokenized (ids field first, else the text field). */
    void forEach(TokenizedRecords records, Consumer<TokenizedRecords.Doc> action) throws IOException {
        records.forEach(suspect, InputRecords.Format.JSONL, field, idsField, action);
    }

    /** Every record of another file with the same fields (e.g. the served data), as token ids. */
    List<int[]> readAll(TokenizedRecords records, Path file) throws IOException {
        return records.readAll(file, InputRecords.Format.JSONL, field, idsField);
    }
}
