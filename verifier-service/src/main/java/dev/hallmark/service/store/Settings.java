package dev.hallmark.service.store;

/** Small named values the service keeps across restarts (e.g. what the demo seeded). */
public interface Settings {

    /** The value of {@code name}, or null. */
    String get(String name);

    /** Sets {@code name} to {@code value}, replacing any earlier value. */
    void put(String name, String value);

    /**
     * Sets {@code name} to {@code value} unless it has a value; atomic across instances sharing the
     * database, so exactly one of several racing callers gets true.
     */
    boolean putIfAbsent(String name, String value);
}
