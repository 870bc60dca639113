package dev.hallmark.service.scan;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.corpus.LoneSurrogates;

/**
 * JSON as the service accepts it in request bodies (hallmark-corpus reads JSONL corpora as strictly): one value and nothing
 * after it, no duplicate field names (a parser that keeps the last or the first of two is a place
 * where two components can disagree about what was asked), no escaped lone surrogates
 * ({@code "\ud800"} is valid JSON text but not a Unicode string: it is refused like invalid
 * UTF-8), strings up to {@link ScanCorpus#MAX_DOCUMENT_CHARS} characters (Jackson's own default
 * stops at 20 M), and JSON's own number grammar (no hexadecimal, {@code NaN}, {@code Infinity} or
 * leading {@code +}, which Jackson refuses by default).
 */
public final class StrictJson {

    private static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(ScanCorpus.MAX_DOCUMENT_CHARS + 1024)
                    .build())
            .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StrictJson() {}

    /** The strict mapper (thread-safe). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Whether a parse failure is a duplicate field name. */
    public static boolean duplicateField(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        return m != null && m.startsWith("Duplicate field");
    }

    /**
     * The JSON path of the first field name or string value holding an unpaired surrogate, with the
     * surrogate in {@code \\uXXXX} form, or null if there is none ({@link LoneSurrogates}).
     */
    public static String loneSurrogate(JsonNode n) {
        return LoneSurrogates.find(n);
    }
}
