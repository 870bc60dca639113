package dev.hallmark.tools.spark;

import dev.hallmark.key.KeyFile;
import dev.hallmark.key.KeyFileException;
import dev.hallmark.key.VllmKey;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything a {@code spark-detect} run needs, as plain serialisable values (no Spark types), so
 * the command can build it without Spark on the class path and executors can rebuild the keyed
 * scorers from it.
 *
 * @param inputs Hadoop-compatible paths or globs ({@code file:}, {@code hdfs:}, {@code s3a:}, ...)
 * @param format how to read them
 * @param textField column / JSON field holding the text
 * @param idsField column / JSON field holding token ids (an integer array); used for a record
 *     whose text is null
 * @param scheme canonical scheme spec
 * @param keys the keys to test (secrets: shipped to the executors inside the task closure): Hallmark
 *     keys, or vLLM's keys for a {@code vllm-*} scheme
 * @param tokenizer tokenizer.json for text records: a path that exists on every executor, or the
 *     file name of one shipped with {@code --files}; null for the executor's default
 *     ({@link dev.hallmark.tools.Defaults#tokenizerPath()})
 * @param alpha false-positive rate of the verdicts
 * @param repartition documents are redistributed round-robin over this many partitions before
 *     scoring (0: keep the input's partitioning), e.g. for one large unsplittable .gz file
 * @param localDedupEntries size bound of each map task's local de-duplication sets (see
 *     {@link TupleScorer}); any positive value gives the same result, only speed and memory change
 */
record JobSpec(List<String> inputs, Format format, String textField, String idsField, String scheme, Keys keys,
        String tokenizer, double alpha, int repartition, int localDedupEntries) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Input formats. */
    enum Format {
        /** JSON lines: one object per line, text in {@code textField} or ids in {@code idsField}. */
        JSONL,
        /** Plain text, one document per line (blank lines are not documents). */
        LINES,
        /** Plain text, each file one document (the CLI's {@code text}). */
        TEXT,
        /** Token ids, one document per line, separated by spaces or commas (the CLI's {@code ids}). */
        IDS,
        /** Parquet with a string column {@code textField} and/or an integer-array column {@code idsField}. */
        PARQUET;

        static Format parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown input format '" + s
                        + "' (use jsonl, lines, text, ids or parquet)");
            }
        }
    }

    JobSpec {
        inputs = List.copyOf(inputs);
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("no input paths");
        }
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(keys, "keys");
        Scheme parsed = Scheme.parse(scheme);
        if ((parsed.keyKind() == Scheme.KeyKind.VLLM) != keys.vllm()) {
            throw new IllegalArgumentException(keys.vllm() ? "vLLM keys bind only the vllm-* schemes, not " + parsed
                    : "scheme " + parsed + " takes vLLM's 64-bit keys, not Hallmark keys");
        }
        // canonical, so an inline key=N never travels in the spec (it is bound into keys by the caller)
        scheme = parsed.toString();
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("false-positive rate must be in (0, 1), got " + alpha);
        }
        if (repartition < 0) {
            throw new IllegalArgumentException("--repartition must be >= 0, got " + repartition);
        }
        if (localDedupEntries < 1) {
            throw new IllegalArgumentException("the local de-duplication bound must be >= 1, got " + localDedupEntries);
        }
        if (textField == null || textField.isBlank() || idsField == null || idsField.isBlank()) {
            throw new IllegalArgumentException("the text and ids field names must not be empty");
        }
        if (textField.equals(idsField)) {
            throw new IllegalArgumentException("--field and --ids-field name the same field '" + textField + "'");
        }
    }

    /** A job with the default local de-duplication bound. */
    JobSpec(List<String> inputs, Format format, String textField, String idsField, String scheme, Keys keys,
            String tokenizer, double alpha, int repartition) {
        this(inputs, format, textField, idsField, scheme, keys, tokenizer, alpha, repartition,
                TupleScorer.LOCAL_DEDUP_LIMIT);
    }

    /** The keyed scorers, one per key, in key order. */
    List<KeyedScheme> keyed() {
        Scheme s = Scheme.parse(scheme);
        List<KeyedScheme> out = new ArrayList<>();
        if (keys.vllm()) {
            for (VllmKey k : keys.vllmKeys()) {
                out.add(KeyedScheme.of(s, k));
            }
            return out;
        }
        for (WatermarkKey k : keys.keys()) {
            out.add(KeyedScheme.of(s, k));
        }
        return out;
    }

    /**
     * Key material in transit. {@link #toString()} never shows it; it travels as key-file JSON
     * (the only serialised form of a key the core defines: Hallmark key files, or vLLM key files of
     * type {@code vllm}) and is re-checked on parse.
     */
    static final class Keys implements Serializable {
        private static final long serialVersionUID = 2L;
        private final List<String> keyFiles;
        private final List<String> ids;
        private final boolean vllm;

        private Keys(List<String> keyFiles, List<String> ids, boolean vllm) {
            this.keyFiles = keyFiles;
            this.ids = ids;
            this.vllm = vllm;
        }

        static Keys of(List<WatermarkKey> keys) {
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("no keys to test");
            }
            List<String> json = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (WatermarkKey k : keys) {
                json.add(KeyFile.toJson(k, Instant.EPOCH));
                ids.add(k.id());
            }
            return new Keys(List.copyOf(json), List.copyOf(ids), false);
        }

        /** vLLM's keys, for a {@code vllm-*} scheme. */
        static Keys ofVllm(List<VllmKey> keys) {
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("no keys to test");
            }
            List<String> json = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (VllmKey k : keys) {
                json.add(KeyFile.toJson(k, Instant.EPOCH));
                ids.add(k.id());
            }
            return new Keys(List.copyOf(json), List.copyOf(ids), true);
        }

        /** Whether these are vLLM's keys. */
        boolean vllm() {
            return vllm;
        }

        List<WatermarkKey> keys() {
            if (vllm) {
                throw new IllegalStateException("the job's keys are vLLM keys");
            }
            List<WatermarkKey> out = new ArrayList<>();
            for (int i = 0; i < keyFiles.size(); i++) {
                try {
                    out.add(KeyFile.parse(keyFiles.get(i), "job key " + ids.get(i)));
                } catch (KeyFileException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
            return out;
        }

        List<VllmKey> vllmKeys() {
            if (!vllm) {
                throw new IllegalStateException("the job's keys are Hallmark keys");
            }
            List<VllmKey> out = new ArrayList<>();
            for (int i = 0; i < keyFiles.size(); i++) {
                try {
                    out.add(KeyFile.parseVllm(keyFiles.get(i), "job key " + ids.get(i)));
                } catch (KeyFileException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
            return out;
        }

        int size() {
            return ids.size();
        }

        @Override
        public String toString() {
            return ids.toString();
        }
    }
}
