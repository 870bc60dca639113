package dev.hallmark.corpus;

/** How messages name a record: by line where there are lines, else by row. */
final class Locations {

    private Locations() {}

    static String of(long record, long line) {
        return line > 0 ? "line " + line : "row " + record;
    }
}
