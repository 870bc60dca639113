package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.corpus.CorpusCounts;
import dev.hallmark.corpus.CorpusInfo;
import dev.hallmark.corpus.Role;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.MultiKeyDetector;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.text.TextTokenizer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Scan reports: the parts every scan type writes (envelope, corpus-level tests, timing). What a
 * caller may see of a stored report is {@link Disclosure#report}'s decision.
 */
public final class ScanReports {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Report format version, bumped when fields change meaning. */
    static final int REPORT_VERSION = 1;

    private ScanReports() {}

    /** The fields every report starts with: version, scan, type, name, versions, input. */
    static ObjectNode envelope(ScanStore.Scan s, CorpusInfo info, TextTokenizer tokenizer) {
        ObjectNode o = F.objectNode();
        o.put("report_version", REPORT_VERSION);
        o.put("scan_id", s.id());
        o.put("scan_type", s.scanType());
        o.put("name", s.name());
        ObjectNode v = o.putObject("versions");
        v.put("hallmark", Versions.hallmark());
        v.put("report_format", REPORT_VERSION);
        v.put("tokenizer", Versions.tokenizer(tokenizer));
        v.put("tokenizer_engine", tokenizer.engine().id());
        ObjectNode in = o.putObject("input");
        in.put("format", info.format().text());
        in.put("compression", info.compression().text());
        if (info.field() != null) {
            in.put("field", info.field());
        }
        if (s.split() != null) {
            in.put("split", s.split());
        }
        if (info.chat() != null) {
            in.put("chat", info.chat().text());
            in.put("turns", info.turns().text());
        }
        in.put("bytes", s.uploadBytes());
        return o;
    }

    /**
     * Writes {@code records}: records read, documents, and for chats the turns by role, the turns
     * scored as documents by role, and the tokens given to the tests by role (only assistant turns
     * are ever tested: the other roles' count is 0).
     */
    static void putRecords(ObjectNode o, CorpusInfo info, CorpusCounts c, long[] tokensByRole) {
        ObjectNode r = o.putObject("records");
        r.put("count", c.records());
        r.put("documents", c.documents());
        if (info.chat() == null) {
            return;
        }
        ObjectNode turns = r.putObject("turns");
        ObjectNode docs = r.putObject("document_turns");
        ObjectNode toks = r.putObject("tokens_by_role");
        for (Role role : Role.values()) {
            turns.put(role.text(), c.turns(role));
            docs.put(role.text(), c.documentTurns(role));
            toks.put(role.text(), tokensByRole[role.ordinal()]);
        }
    }

    static void putTiming(ObjectNode o, Instant started, Instant finished, long tokens) {
        ObjectNode tm = o.putObject("timing");
        tm.put("started_at", started.toString());
        tm.put("finished_at", finished.toString());
        double secs = Math.max(1e-3, Duration.between(started, finished).toNanos() / 1e9);
        tm.put("seconds", secs);
        tm.put("tokens_per_second", tokens / secs);
    }

    /**
     * Writes alpha, correction, {@code keys} (the corpus-level result per test, Holm-adjusted
     * across the family, in the shared DetectionJson fields plus the unadjusted p-value and a
     * label), {@code schemes}, {@code detected_key_ids} and {@code verdict}; returns {@code keys}.
     */
    static ArrayNode putCorpusTests(ObjectNode o, ScanStore.Scan s, KeyStore.Family family,
            List<CorpusAccumulator> accs) {
        o.put("alpha", s.alpha());
        o.put("correction", "holm");
        List<DetectionResult> raw = new ArrayList<>();
        for (CorpusAccumulator a : accs) {
            raw.add(a.result(s.alpha()));
        }
        MultiKeyDetector.Result adj = MultiKeyDetector.adjust(raw);
        ArrayNode ks = o.putArray("keys");
        ArrayNode schemes = o.putArray("schemes");
        ArrayNode det = o.putArray("detected_key_ids");
        Set<String> listed = new HashSet<>();
        boolean any = false;
        for (int i = 0; i < raw.size(); i++) {
            DetectionResult a = adj.adjusted().get(i);
            ObjectNode k = DetectionJson.toJson(a, false);
            putFinite(k, "log10_p_unadjusted", raw.get(i).log10P());
            k.put("p_value_unadjusted", raw.get(i).pValue());
            k.put("label", family.label(i));
            ks.add(k);
            String spec = family.keyed().get(i).scheme().toString();
            if (listed.add(spec)) {
                schemes.add(spec);
            }
            if (a.watermarked()) {
                any = true;
                if (a.keyId() != null) {
                    det.add(a.keyId());
                }
            }
        }
        o.put("verdict", any ? "watermarked" : "no_watermark_detected");
        return ks;
    }

    /** {@code v}, or JSON null where it is not finite (JSON has no infinities). */
    static void putFinite(ObjectNode o, String f, double v) {
        if (Double.isFinite(v)) {
            o.put(f, v);
        } else {
            o.putNull(f);
        }
    }

    /** What a test is called in reports: the key id, or for a keyless scheme its spec. */
    static String testId(KeyedScheme k) {
        return k.keyId() != null ? k.keyId() : k.scheme().toString();
    }
}
