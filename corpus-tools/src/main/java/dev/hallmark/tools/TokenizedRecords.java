package dev.hallmark.tools;

import dev.hallmark.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Streams JSONL (or ids / text) records as token ids, opening the tokenizer only if a record
 * holds text. Prompts ({@code "prompt"} / {@code "prompt_ids"}) come along tokenized too.
 */
final class TokenizedRecords {

    /** A document's ids and its prompt's ids (empty if none). */
    record Doc(InputRecords.Record record, int[] ids, int[] promptIds) {}

    private final TokenizerOption tokenizerOption;
    private TextTokenizer tokenizer;

    TokenizedRecords(TokenizerOption tokenizer) {
        this.tokenizerOption = tokenizer;
    }

    void forEach(Path file, InputRecords.Format format, String textField, String idsField, Consumer<Doc> action)
            throws IOException {
        try (InputRecords in = InputRecords.open(file, format, textField, idsField)) {
            while (in.hasNext()) {
                InputRecords.Record r = in.next();
                int[] ids = r.ids() != null ? r.ids() : tokenizer().encode(r.text());
                int[] prompt = r.promptIds() != null ? r.promptIds()
                        : r.prompt() != null ? tokenizer().encode(r.prompt()) : new int[0];
                action.accept(new Doc(r, ids, prompt));
            }
        }
    }

    List<int[]> readAll(Path file, InputRecords.Format format, String textField, String idsField) throws IOException {
        List<int[]> out = new ArrayList<>();
        forEach(file, format, textField, idsField, d -> out.add(d.ids()));
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
