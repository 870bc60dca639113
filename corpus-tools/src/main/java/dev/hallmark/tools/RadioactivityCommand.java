package dev.hallmark.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.ContextFilters;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.MultiKeyDetector;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark radioactivity}: was a suspect model trained on our watermarked outputs? Reads
 * the suspect model's outputs, scores every distinct (context, token) tuple of the whole corpus
 * once (optionally only contexts frequent in the watermarked data we served, and never contexts
 * that occur in the record's own prompt), and gives the exact corpus-level p-value per key.
 */
@Command(name = "radioactivity", mixinStandardHelpOptions = true,
        description = {"Radioactivity test (Sander et al. 2024): does a suspect model's output carry our watermark?",
            "Tuples are de-duplicated across the whole suspect corpus; p-values are exact; key rings are Holm-corrected."})
final class RadioactivityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;


    @ArgGroup(exclusive = true, multiplicity = "1")
    KeyOptions keys;

    @Option(names = "--suspect", required = true, description = "Suspect model outputs (JSONL; .gz ok).")
    Path suspect;

    @Option(names = "--scheme", required = true, description = "Scheme spec the lab served with.")
    String scheme;

    @Option(names = "--filter", description = "Watermarked data the lab served (JSONL): score only contexts frequent in it.")
    Path filter;

    @Option(names = "--filter-top", defaultValue = "0",
            description = "Keep the N most frequent served contexts (0 = every served context; default ${DEFAULT-VALUE}).")
    int filterTop;

    @Option(names = "--field", defaultValue = "completion", description = "JSONL text field (default: ${DEFAULT-VALUE}).")
    String field;

    @Option(names = "--ids-field", defaultValue = "completion_ids", description = "JSONL ids field, preferred when present (default: ${DEFAULT-VALUE}).")
    String idsField;

    @Option(names = "--fpr", defaultValue = "1e-3", description = "False-positive rate (default: ${DEFAULT-VALUE}).")
    double fpr;

    @Option(names = "--json", description = "JSON output.")
    boolean json;

    @Option(names = "--tokenizer", description = "tokenizer.json for text records (default: Qwen3 from the Hallmark cache).")
    Path tokenizer;

    @Override
    public Integer call() throws Exception {
        Scheme s = Scheme.parse(scheme);
        List<WatermarkKey> keyList = keys.load();
        TokenizedRecords records = new TokenizedRecords(tokenizer);
        try {
            int h = s.contextWidth();
            PositionFilter served = PositionFilter.ALL;
            if (filter != null) {
                served = ContextFilters.servedContexts(records.readAll(filter, InputRecords.Format.JSONL, field, idsField),
                        h, filterTop);
            }
            List<CorpusAccumulator> accs = new ArrayList<>();
            for (WatermarkKey k : keyList) {
                accs.add(new CorpusAccumulator(KeyedScheme.of(s, k), served));
            }
            Progress progress = new Progress("radioactivity", -1, spec.commandLine().getErr());
            records.forEach(suspect, InputRecords.Format.JSONL, field, idsField, d -> {
                PositionFilter noPrompt = ContextFilters.excludingPrompt(d.promptIds(), h);
                for (CorpusAccumulator a : accs) {
                    a.accept(d.ids(), 0, d.ids().length, noPrompt);
                }
                progress.step(1);
            });
            progress.done();
            List<DetectionResult> raw = new ArrayList<>();
            for (CorpusAccumulator a : accs) {
                raw.add(a.result(fpr));
            }
            MultiKeyDetector.Result res = MultiKeyDetector.adjust(raw);
            print(res, accs.get(0).documents());
        } finally {
            records.close();
        }
        return 0;
    }

    private void print(MultiKeyDetector.Result res, long documents) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = DetectionJson.mapper().createObjectNode();
            o.put("test", "radioactivity");
            o.put("documents", documents);
            o.put("filter", filter == null ? "none" : "served-contexts");
            o.put("correction", res.raw().size() > 1 ? "holm" : "none");
            ArrayNode a = o.putArray("keys");
            for (int i = 0; i < res.raw().size(); i++) {
                ObjectNode k = DetectionJson.toJson(res.adjusted().get(i), false);
                k.put("log10_p_unadjusted", res.raw().get(i).log10P());
                a.add(k);
            }
            out.println(o.toPrettyString());
        } else {
            out.println("radioactivity test over " + documents + " suspect documents"
                    + (filter == null ? "" : " (served-context filter)"));
            for (DetectionResult d : res.adjusted()) {
                out.println(String.format(Locale.ROOT,
                        "  key %s: %s  log10 p = %.2f  tuples scored %d (skipped: %d repeated, %d filtered)  statistic %.5f",
                        d.keyId(), d.watermarked() ? "RADIOACTIVE" : "not detected", d.log10P(), d.tokensScored(),
                        d.skippedRepeated(), d.skippedFiltered(), d.statistic()));
            }
        }
        out.flush();
    }
}
