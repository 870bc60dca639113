package dev.hallmark.service.scan;

import dev.hallmark.service.Problem;
import java.io.IOException;

/** Plain text: documents separated by blank lines ({@link Split#BLANK}) or one per non-blank line ({@link Split#LINE}). */
final class TextCorpusReader implements CorpusReader {

    private final CorpusInput in;
    private final Split split;
    private long docIndex;

    TextCorpusReader(CorpusInput in, Split split) {
        this.in = in;
        this.split = split;
    }

    @Override
    public boolean gzip() {
        return in.gzip();
    }

    @Override
    public long bytesRead() {
        return in.bytesRead();
    }

    @Override
    public Doc next() throws IOException {
        if (split == Split.LINE) {
            while (in.readLine()) {
                if (!CorpusInput.isBlank(in.line())) {
                    return new Doc(docIndex++, in.lineNo(), in.line().toString());
                }
            }
            return null;
        }
        StringBuilder doc = new StringBuilder();
        long first = -1;
        while (in.readLine()) {
            StringBuilder line = in.line();
            if (CorpusInput.isBlank(line)) {
                if (first >= 0) {
                    return new Doc(docIndex++, first, doc.toString());
                }
                continue;
            }
            if (first < 0) {
                first = in.lineNo();
            } else {
                doc.append('\n');
            }
            if (doc.length() + line.length() > in.maxLineChars()) {
                throw Problem.tooLarge("document starting at line " + first + " is longer than " + in.maxLineChars()
                        + " characters");
            }
            doc.append(line);
        }
        return first >= 0 ? new Doc(docIndex++, first, doc.toString()) : null;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
