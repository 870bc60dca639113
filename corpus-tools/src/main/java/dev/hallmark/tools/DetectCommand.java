package dev.hallmark.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.DocumentFamily;
import dev.hallmark.detect.WindowedDetector;
import dev.hallmark.interop.SynthIdKeys;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.VllmScheme;
import dev.hallmark.text.TextTokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hallmark detect}: test texts or token ids for a watermark, with exact p-values. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = {"Test texts or token ids for a watermark under one key (or every key of a key ring,",
            "Holm-corrected). Each distinct (context, token) tuple is scored once; p-values are exact.",
            "Third-party watermarks: --scheme hf-kgw:... (lm-watermarking / transformers KGW, no key needed)",
            "and --scheme synthid-ref:... --synthid-keys KEYS.json (SynthID-Text reference);",
            "vLLM's watermarks: --scheme vllm-gumbel|vllm-dual-key-gumbel|vllm-sbw:... --key K.json",
            "(hallmark keygen --vllm-key N), also reporting vLLM's own score and p-value."})
final class DetectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OptionalKeyOptions keys;

    @Mixin
    SchemeOption scheme;

    @Option(names = "--synthid-keys", paramLabel = "KEYS.json",
            description = "For synthid-ref: the generator's int64 keys, a JSON array (one key per layer).")
    Path synthIdKeys;

    @Mixin
    InputOptions input;

    @Mixin
    FprOption fpr;

    @Mixin
    JsonOption json;

    @Option(names = "--localize", description = {"Also search windows for watermarked spans. Keys, whole text and",
            "windows form one family per document at --fpr (weighted Holm: half of it to the whole-text tests)."})
    boolean localize;

    @Mixin
    TokenizerOption tokenizer;

    @Override
    public Integer call() throws Exception {
        Scheme s = scheme.parse(keys::defaultScheme);
        DetectOptions options = DetectOptions.defaults().withAlpha(fpr.fpr());
        List<KeyedScheme> keyed = loadKeys(s);
        InputRecords.Format fmt = input.format();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TextTokenizer tok = null;
        int records = 0;
        int failed = 0;
        InputSummary read = input.summary();
        try (InputRecords in = input.open()) {
            while (in.hasNext()) {
                InputRecords.Record r = in.next();
                records++;
                if (r.ids() == null && tok == null) {
                    tok = tokenizer.open();
                }
                int[] ids = r.ids() != null ? r.ids() : tok.encode(r.text());
                read.accept(r, ids.length);
                String label = input.label(r);
                try {
                    report(out, r, label, ids, keyed, options);
                } catch (IllegalArgumentException e) {
                    if (fmt == InputRecords.Format.TEXT) {
                        throw e;
                    }
                    failed++;
                    if (json.enabled()) {
                        ObjectNode o = DetectionJson.mapper().createObjectNode();
                        putLabel(o, r);
                        o.put("error", e.getMessage());
                        out.println(o);
                    } else {
                        err.println(label + ": " + e.getMessage());
                    }
                }
            }
            read.finish(in);
        } finally {
            if (tok != null) {
                tok.close();
            }
        }
        out.flush();
        if (records == 0) {
            throw new IllegalArgumentException("input " + input.path() + " holds no records");
        }
        err.println(read.line());
        if (failed > 0) {
            err.println(failed + " of " + records + " records could not be scored");
        }
        return failed == records ? 1 : 0;
    }

    private List<KeyedScheme> loadKeys(Scheme s) throws Exception {
        if (synthIdKeys != null && s.keyKind() != Scheme.KeyKind.SYNTHID_KEYS) {
            throw new IllegalArgumentException("--synthid-keys is only for the synthid-ref scheme, not " + s);
        }
        switch (s.keyKind()) {
            case NONE:
                if (keys.given()) {
                    spec.commandLine().getErr().println("hallmark detect: note: scheme " + s.name()
                            + " needs no Hallmark key; --key/--keyring ignored (its hash key is part of the spec)");
                }
                return List.of(KeyedScheme.of(s));
            case SYNTHID_KEYS:
                if (keys.given()) {
                    throw new IllegalArgumentException("scheme " + s.name() + " takes the generator's keys with "
                            + "--synthid-keys KEYS.json, not --key/--keyring");
                }
                if (synthIdKeys == null) {
                    throw new IllegalArgumentException("scheme " + s + " needs the generator's int64 keys: "
                            + "--synthid-keys KEYS.json (a JSON array, one key per layer)");
                }
                return List.of(KeyedScheme.of(s, SynthIdKeys.read(synthIdKeys)));
            case VLLM:
                return VllmKeys.bind((VllmScheme) s, keys.given() ? keys.source.key : null, keys.given() ? keys.source.keyring : null);
            default:
                break;
        }
        List<KeyedScheme> list = new ArrayList<>();
        for (WatermarkKey k : keys.load("scheme " + s)) {
            list.add(KeyedScheme.of(s, k));
        }
        return list;
    }

    private void report(PrintWriter out, InputRecords.Record r, String label, int[] ids, List<KeyedScheme> keyed,
            DetectOptions options) {
        // one family per document: every key's whole-text test and, with --localize, every window, one alpha
        DocumentFamily.Result family = DocumentFamily.of(keyed).detect(ids, options, localize);
        List<DetectionResult> results = new ArrayList<>();
        List<DetectionResult> raw = new ArrayList<>();
        List<DocumentFamily.KeyResult> windows = family.keys();
        for (DocumentFamily.KeyResult k : family.keys()) {
            results.add(k.adjusted());
            raw.add(k.raw());
        }
        String correction = localize ? "weighted-holm" : results.size() > 1 ? "holm" : "none";
        if (json.enabled()) {
            ObjectNode o;
            if (results.size() == 1) {
                o = DetectionJson.toJson(results.get(0), false);
                putLabel(o, r);
                if (localize) {
                    putFamily(o, family, correction);
                    o.put("log10_p_unadjusted", raw.get(0).log10P());
                    putSpans(o, windows.get(0));
                }
            } else {
                o = DetectionJson.mapper().createObjectNode();
                putLabel(o, r);
                o.put("correction", correction);
                o.put("keys_tested", results.size());
                if (localize) {
                    putFamily(o, family, correction);
                }
                ArrayNode a = o.putArray("keys");
                for (int i = 0; i < results.size(); i++) {
                    ObjectNode k = DetectionJson.toJson(results.get(i), false);
                    k.put("log10_p_unadjusted", raw.get(i).log10P());
                    if (localize) {
                        putSpans(k, windows.get(i));
                    }
                    a.add(k);
                }
            }
            out.println(o);
            return;
        }
        for (int i = 0; i < results.size(); i++) {
            DetectionResult d = results.get(i);
            out.println(String.format(Locale.ROOT,
                    "%s: %s  p=%.3g (log10 p = %.2f%s)  tokens scored %d of %d (skipped: %d context, %d repeated)"
                            + "  statistic %.4f  [%s, key %s]",
                    label, d.watermarked() ? "WATERMARKED" : "not detected", d.pValue(), d.log10P(),
                    localize ? ", adjusted over " + family.hypotheses() + " tests (keys x whole text x windows)"
                            : keyed.size() > 1 ? ", Holm-adjusted" : "", d.tokensScored(), d.tokensSeen(),
                    d.skippedContext(), d.skippedRepeated(), d.statistic(), d.scheme(),
                    d.keyId() == null ? "none" : d.keyId()));
            if (d.reference() != null) {
                out.println(String.format(Locale.ROOT, "    vLLM's own detector: score %.6f, p=%.6g%s",
                        d.reference().score(), d.reference().pValue(), keyed.size() > 1 ? " (not Holm-adjusted)" : ""));
            }
            if (d.independent() != null) {
                out.println(String.format(Locale.ROOT,
                        "    reference z = %.4f on its %d tokens; exact p computed on %d independent units (score sum %.0f)",
                        d.zScore(), d.tokensScored(), d.independent().count(), d.independent().scoreSum()));
            }
            if (localize) {
                for (WindowedDetector.Span sp : windows.get(i).spans()) {
                    out.println(String.format(Locale.ROOT,
                            "    span tokens [%d, %d)  log10 p = %.2f (adjusted over %d tests: %d keys x (1 + %d windows))",
                            sp.start(), sp.end(), sp.log10P(), family.hypotheses(), keyed.size(),
                            windows.get(i).windowsTested()));
                }
            }
        }
    }

    private static void putLabel(ObjectNode o, InputRecords.Record r) {
        o.put("line", r.line());
        if (r.id() != null) {
            o.put("id", r.id());
        }
        if (r.turn() >= 0) {
            o.put("turn", r.turn() + 1);
            o.put("where", r.where());
        }
    }

    private static void putFamily(ObjectNode o, DocumentFamily.Result family, String correction) {
        ObjectNode f = o.putObject("family");
        f.put("correction", correction);
        f.put("hypotheses", family.hypotheses());
        f.put("whole_text_weight", family.wholeTextWeight());
        f.put("window_weight", family.windowWeight());
    }

    private static void putSpans(ObjectNode o, DocumentFamily.KeyResult w) {
        o.put("windows_tested", w.windowsTested());
        ArrayNode spans = o.putArray("spans");
        for (WindowedDetector.Span sp : w.spans()) {
            ObjectNode s = spans.addObject();
            s.put("start", sp.start());
            s.put("end", sp.end());
            s.put("log10_p", sp.log10P());
        }
    }
}
