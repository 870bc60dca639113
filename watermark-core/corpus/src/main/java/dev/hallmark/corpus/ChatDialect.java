package dev.hallmark.corpus;

import java.util.Locale;

/** The shape of a chat record. */
public enum ChatDialect {
    /** OpenAI {@code messages}: {@code role} and {@code content} (a string, or a list of parts of which the text parts count). */
    OPENAI("messages"),
    /** ShareGPT {@code conversations}: {@code from} and {@code value}. */
    SHAREGPT("conversations"),
    /** Alpaca: {@code instruction}, optional {@code input} (the user turn) and {@code output} (the assistant turn). */
    ALPACA(null);

    private final String field;

    ChatDialect(String field) {
        this.field = field;
    }

    /** The field holding the turns ({@code messages}, {@code conversations}); null for Alpaca. */
    public String defaultField() {
        return field;
    }

    /** The name used in reports ({@code openai}, {@code sharegpt}, {@code alpaca}). */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
