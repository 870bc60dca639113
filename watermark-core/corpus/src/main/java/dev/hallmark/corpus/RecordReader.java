package dev.hallmark.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/** A reader of records (JSONL lines, CSV rows, Parquet rows) that become documents through {@link RecordDocs}. */
abstract class RecordReader implements CorpusReader {

    final CorpusCounts.Tally tally = new CorpusCounts.Tally();
    final RecordDocs docs;
    private final CorpusFormat format;
    private final boolean detected;
    private final Turns turns;
    private final Deque<Document> pending = new ArrayDeque<>();

    RecordReader(CorpusFormat format, boolean detected, CorpusOptions o) {
        this.format = format;
        this.detected = detected;
        this.turns = o.turns();
        this.docs = new RecordDocs(format, o.field(), o.turns(), o.prompts(), tally);
    }

    /** The next record, handed to {@link RecordDocs#add}; false at the end. */
    abstract boolean nextRecord(Deque<Document> out) throws IOException;

    abstract Compression compression();

    @Override
    public final Document next() throws IOException {
        while (pending.isEmpty()) {
            if (!nextRecord(pending)) {
                return null;
            }
        }
        return pending.poll();
    }

    void add(JsonNode rec, long record, long line, Deque<Document> out) throws CorpusException {
        docs.add(rec, record, line, out);
    }

    @Override
    public CorpusInfo info() {
        CorpusFormat f = format == CorpusFormat.JSONL && docs.chat() != null ? CorpusFormat.CHAT : format;
        return new CorpusInfo(f, detected, compression(), docs.field(), docs.chat(), docs.isChat() ? turns : null);
    }

    @Override
    public CorpusCounts counts() {
        return tally.snapshot();
    }
}
