package dev.hallmark.tools;

import dev.hallmark.corpus.Turns;
import dev.hallmark.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Streams input records ({@link InputRecords}: JSONL, chats, CSV/TSV, Parquet, ids, text) as token
 * ids, opening the tokenizer only if a record holds text. Prompts (a record's {@code prompt} /
 * {@code prompt_ids}, or the turns before a chat's assistant turn) come along tokenized too.
 */
final class TokenizedRecords {

    /** A document's ids and its prompt's ids (empty if none). */
    record Doc(InputRecords.Record record, int[] ids, int[] promptIds) {}

    private final TokenizerOption tokenizerOption;
    private TextTokenizer tokenizer;

    TokenizedRecords(TokenizerOption tokenizer) {
        this.tokenizerOption = tokenizer;
    }

    /** Hands every document of {@code file} to {@code action}; returns what was read. */
    InputSummary forEach(Path file, InputRecords.Format format, String textField, String idsField, Turns turns,
            Consumer<Doc> action) throws IOException {
        InputSummary summary = new InputSummary(file);
        try (InputRecords in = InputRecords.open(file, format, textField, idsField, turns)) {
            while (in.hasNext()) {
                InputRecords.Record r = in.next();
                int[] ids = r.ids() != null ? r.ids() : tokenizer().encode(r.text());
                int[] prompt = r.promptIds() != null ? r.promptIds()
                        : r.prompt() != null ? tokenizer().encode(r.prompt()) : new int[0];
                summary.accept(r, ids.length);
                action.accept(new Doc(r, ids, prompt));
            }
            summary.finish(in);
        }
        if (summary.documents() == 0) {
            throw new IllegalArgumentException("input " + file + " holds no documents");
        }
        return summary;
    }

    List<int[]> readAll(Path file, InputRecords.Format format, String textField, String idsField, Turns turns)
            throws IOException {
        List<int[]> out = new ArrayList<>();
        forEach(file, format, textField, idsField, turns, d -> out.add(d.ids()));
        return out;
    }

    private TextTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = tokenizerOption.open();
        }
        return tokenizer;
    }

    void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
