package dev.hallmark.corpus;

import java.util.Objects;

/**
 * How to read a corpus. Every part may be left to the reader: {@code format} null means detected
 * from the content, {@code field} null means the usual one for the format (see {@link CorpusReader}).
 *
 * @param format the format, or null to detect it
 * @param field JSONL: a dotted path to the document ({@code response.text}), or with {@link CorpusFormat#CHAT}
 *     to the turns; CSV/TSV: a column name; Parquet: a column (dotted for nested); null: the default
 * @param split how plain text is cut into documents
 * @param turns which assistant turns of a chat record are documents
 * @param prompts also read each document's prompt: the turns before it in a chat, or a record's
 *     {@code prompt_ids} (token ids) or {@code prompt} (text)
 * @param limits the caps
 */
public record CorpusOptions(CorpusFormat format, String field, Split split, Turns turns, boolean prompts,
        Limits limits) {

    public CorpusOptions {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(turns, "turns");
        Objects.requireNonNull(limits, "limits");
        if (field != null && field.isBlank()) {
            throw new IllegalArgumentException("field must not be blank");
        }
    }

    /** Detected format, default field, blank-line split, every assistant turn, no prompts, default limits. */
    public static CorpusOptions defaults() {
        return new CorpusOptions(null, null, Split.BLANK, Turns.ALL, false, Limits.defaults());
    }

    public CorpusOptions withFormat(CorpusFormat f) {
        return new CorpusOptions(f, field, split, turns, prompts, limits);
    }

    public CorpusOptions withField(String f) {
        return new CorpusOptions(format, f, split, turns, prompts, limits);
    }

    public CorpusOptions withSplit(Split s) {
        return new CorpusOptions(format, field, s, turns, prompts, limits);
    }

    public CorpusOptions withTurns(Turns t) {
        return new CorpusOptions(format, field, split, t, prompts, limits);
    }

    public CorpusOptions withPrompts(boolean p) {
        return new CorpusOptions(format, field, split, turns, p, limits);
    }

    public CorpusOptions withLimits(Limits l) {
        return new CorpusOptions(format, field, split, turns, prompts, l);
    }
}
