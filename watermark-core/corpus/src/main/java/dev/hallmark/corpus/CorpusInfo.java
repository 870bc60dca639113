package dev.hallmark.corpus;

/**
 * What a reader found out about its corpus once opened.
 *
 * @param format the format (given, or detected)
 * @param detected whether the format was detected from the content (not given)
 * @param compression the compression around the file
 * @param field the field, column or path the documents come from, or null (plain text; Alpaca)
 * @param chat the chat dialect of the records, or null if they are not chat transcripts
 * @param turns which assistant turns are documents (chats only, else null)
 */
public record CorpusInfo(CorpusFormat format, boolean detected, Compression compression, String field,
        ChatDialect chat, Turns turns) {}
