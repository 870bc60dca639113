package dev.hallmark.corpus;

/**
 * One document of a corpus: text, or token ids carried by the record.
 *
 * @param index 0-based, in corpus order
 * @param record 1-based number of the record it came from (a JSONL or text line's record, a CSV
 *     data row, a Parquet row)
 * @param line 1-based line where the record starts, or 0 where the format has no lines (Parquet)
 * @param turn 0-based index of the turn within a chat record, or -1 outside chats
 * @param role the speaker in a chat record ({@link Role#ASSISTANT}), or null outside chats
 * @param recordId the record's {@code id} (a string or integer, cut to 200 characters), or null
 * @param text the document's text, or null if it is given as {@code ids}
 * @param ids the document's token ids, or null if it is given as {@code text}
 * @param prompt the prompt as text (chat: the user, system and tool turns before this one,
 *     joined by newlines), or null
 * @param promptIds the prompt as token ids, or null
 */
public record Document(long index, long record, long line, int turn, Role role, String recordId, String text, int[] ids,
        String prompt, int[] promptIds) {

    /** Where the document is, for messages: {@code line 12}, {@code row 7}, with {@code , turn 3} in chats. */
    public String where() {
        return Locations.of(record, line) + (turn >= 0 ? ", turn " + (turn + 1) : "");
    }
}
