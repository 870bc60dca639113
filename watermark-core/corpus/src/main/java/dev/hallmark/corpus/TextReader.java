package dev.hallmark.corpus;

import java.io.IOException;

/** Plain text: documents separated by blank lines ({@link Split#BLANK}) or one per non-blank line ({@link Split#LINE}). */
final class TextReader implements CorpusReader {

    private final LineInput in;
    private final Split split;
    private final boolean detected;
    private final CorpusCounts.Tally tally = new CorpusCounts.Tally();

    TextReader(LineInput in, Split split, boolean detected) {
        this.in = in;
        this.split = split;
        this.detected = detected;
    }

    @Override
    public Document next() throws IOException {
        if (split == Split.LINE) {
            while (in.readLine()) {
                if (!LineInput.isBlank(in.line())) {
                    return doc(in.lineNo(), in.line().toString());
                }
            }
            return null;
        }
        StringBuilder doc = new StringBuilder();
        long first = -1;
        while (in.readLine()) {
            StringBuilder line = in.line();
            if (LineInput.isBlank(line)) {
                if (first >= 0) {
                    return doc(first, doc.toString());
                }
                continue;
            }
            if (first < 0) {
                first = in.lineNo();
            } else {
                doc.append('\n');
            }
            if (doc.length() + line.length() > in.maxChars()) {
                throw CorpusException.at(CorpusException.Kind.TOO_LARGE, 0, first, "the document starting here is longer than "
                        + in.maxChars() + " characters");
            }
            doc.append(line);
        }
        return first >= 0 ? doc(first, doc.toString()) : null;
    }

    private Document doc(long line, String text) {
        long n = tally.records++;
        tally.documents++;
        return new Document(n, n + 1, line, -1, null, null, text, null, null, null);
    }

    @Override
    public CorpusInfo info() {
        return new CorpusInfo(CorpusFormat.TEXT, detected, in.bytes().compression(), null, null, null);
    }

    @Override
    public CorpusCounts counts() {
        return tally.snapshot();
    }

    @Override
    public long bytesRead() {
        return in.bytes().bytesRead();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
