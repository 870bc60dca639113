package dev.hallmark.service.scan;

import dev.hallmark.corpus.Document;
import dev.hallmark.service.Problem;
import dev.hallmark.service.store.KeyStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a corpus in bounded batches and tokenizes each batch's texts (and prompt texts) in one
 * call, which the native tokenizer spreads over its threads; a text longer than
 * {@link ChunkedTokenizer#CHUNK_CHARS} characters is tokenized piece by piece
 * ({@link ChunkedTokenizer}). Documents that carry token ids are checked against the family's id
 * range when taken ({@link Batch#get}). Every scan reads its
 * corpus through this; a batch boundary is where a scan's state covers a whole prefix of the corpus.
 */
final class DocumentBatches {

    /** A batch ends after this many documents ... */
    static final int BATCH_DOCS = 256;
    /** ... or once it holds this many characters (token ids count one each). */
    static final int BATCH_CHARS = 4 << 20;

    /** A document with its token ids (its text tokenized, or the ids it carried) and its prompt's ids, if any. */
    record Tokenized(Document doc, int[] ids, int[] prompt) {}

    private final ScanCorpus reader;
    private final ChunkedTokenizer tokenizer;
    private final KeyStore.Family family;
    private final int idLimit;
    private final boolean checkText;
    private boolean exhausted;

    /**
     * @param checkText check that text fits the family ({@link KeyStore.Family#checkText}) before a
     *     batch holding text is tokenized (for corpora not validated at upload)
     */
    DocumentBatches(ScanCorpus reader, ChunkedTokenizer tokenizer, KeyStore.Family family, boolean checkText) {
        this.reader = reader;
        this.tokenizer = tokenizer;
        this.family = family;
        this.idLimit = family.idLimit(tokenizer.tokenizer().vocabularySize());
        this.checkText = checkText;
    }

    /** The next batch; empty once the corpus is exhausted. */
    Batch next() throws IOException {
        List<Document> docs = new ArrayList<>();
        long chars = 0;
        while (!exhausted && docs.size() < BATCH_DOCS && chars < BATCH_CHARS) {
            Document d = reader.next();
            if (d == null) {
                exhausted = true;
                break;
            }
            docs.add(d);
            chars += d.text() == null ? d.ids().length : d.text().length();
            if (d.prompt() != null) {
                chars += d.prompt().length();
            }
        }
        List<String> texts = new ArrayList<>();
        int[] textAt = new int[docs.size()];
        int[] promptAt = new int[docs.size()];
        for (int i = 0; i < docs.size(); i++) {
            Document x = docs.get(i);
            textAt[i] = x.text() != null ? add(texts, x.text()) : -1;
            promptAt[i] = x.promptIds() == null && x.prompt() != null ? add(texts, x.prompt()) : -1;
        }
        if (checkText && !texts.isEmpty()) {
            family.checkText(tokenizer.tokenizer().vocabularySize());
        }
        int[][] encoded = texts.isEmpty() ? new int[0][] : tokenizer.encodeBatch(texts);
        return new Batch(docs, encoded, textAt, promptAt);
    }

    private static int add(List<String> texts, String s) {
        texts.add(s);
        return texts.size() - 1;
    }

    /** The documents of one batch, in corpus order. */
    final class Batch {
        private final List<Document> docs;
        private final int[][] encoded;
        private final int[] textAt;
        private final int[] promptAt;

        private Batch(List<Document> docs, int[][] encoded, int[] textAt, int[] promptAt) {
            this.docs = docs;
            this.encoded = encoded;
            this.textAt = textAt;
            this.promptAt = promptAt;
        }

        int size() {
            return docs.size();
        }

        /**
         * Document {@code i} with its ids.
         *
         * @throws Problem naming the line, if the document's own token ids are outside the family's range
         */
        Tokenized get(int i) {
            Document d = docs.get(i);
            int[] ids = textAt[i] >= 0 ? encoded[textAt[i]] : d.ids();
            int[] prompt = d.promptIds() != null ? d.promptIds() : promptAt[i] >= 0 ? encoded[promptAt[i]] : null;
            if (d.ids() != null) {
                checkIds(ids, d.where(), d.line(), idLimit, family);
            }
            return new Tokenized(d, ids, prompt);
        }
    }

    /**
     * Checks a document's token ids against {@code idLimit}: the tokenizer's vocabulary, or an
     * {@code hf-kgw} or {@code vllm-*} spec's vocab ({@link KeyStore.Family#idLimit}).
     *
     * @param where the document's place ({@link Document#where()}), for the message
     * @param line its line, or 0 (Parquet)
     * @throws Problem vocab-mismatch (hf-kgw) or invalid-request, naming the line or row
     */
    static void checkIds(int[] ids, String where, long line, int idLimit, KeyStore.Family family) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= idLimit) {
                Problem p = family.hfKgw() != null
                        ? Problem.vocabMismatch(where + ": token id " + ids[i] + " is outside the scheme's vocab [0, "
                                + idLimit + ") of " + family.hfKgw() + ": the ids come from another vocabulary, or the "
                                + "spec's vocab is wrong")
                        : Problem.invalid(where + ": token id " + ids[i] + " is outside "
                                + family.idLimitName(idLimit) + " [0, " + idLimit + ")");
                throw line > 0 ? p.with("line", line) : p;
            }
        }
    }
}
