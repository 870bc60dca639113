package dev.hallmark.key;

import java.io.IOException;

/** A key file that cannot be used: unreadable, not a Hallmark key file, wrong version, or corrupt. */
public final class KeyFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public KeyFileException(String message) {
        super(message);
    }

    public KeyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
