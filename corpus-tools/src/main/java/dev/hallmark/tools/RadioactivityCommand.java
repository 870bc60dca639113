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
import dev.hallmark.scheme.VllmScheme;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark radioactivity}: was a suspect model trained on our watermarked outputs? Reads
 * the suspect model's outputs, scores every distinct (context, token) tuple of the whole corpus
 * once (optionally only contexts frequent in the watermarked data we served, and never contexts
 * that occur in the record's own prompt), and gives the exact corpus-level p-value per key.
 *
 * <p>vLLM's schemes ({@code --scheme vllm-*} with a vLLM key file, a ring of them, or {@code key=N})
 * score every position, the first W with contexts padded by -1; the filters read those W-token
 * contexts ({@link ContextFilters.Window}).
 */
@Command(name = "radioactivity", mixinStandardHelpOptions = true,
        description = {"Radioactivity test (Sander et al. 2024): does a suspect model's output carry our watermark?",
            "Tuples are de-duplicated across the whole suspect corpus; p-values are exact; key rings are Holm-corrected."})
final class RadioactivityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OptionalKeyOptions keys;

    @Mixin
    SuspectOptions suspect;

    @Mixin
    SchemeOption scheme;

    @Mixin
    ServedFilterOptions filter;

    @Mixin
    FprOption fpr;

    @Mixin
    JsonOption json;

    @Mixin
    TokenizerOption tokenizer;

    @Override
    public Integer call() throws Exception {
        Scheme s = scheme.parse();
        List<KeyedScheme> keyed = new ArrayList<>();
        if (s instanceof VllmScheme v) {
            keyed.addAll(VllmKeys.bind(v, keys.keyFile(), keys.keyring()));
        } else {
            for (WatermarkKey k : keys.load("scheme " + s)) {
                keyed.add(KeyedScheme.of(s, k));
            }
        }
        TokenizedRecords records = new TokenizedRecords(tokenizer);
        try {
            ContextFilters.Window window = ContextFilters.Window.of(s);
            PositionFilter served = filter.filter(records, suspect, window);
            List<CorpusAccumulator> accs = new ArrayList<>();
            for (KeyedScheme k : keyed) {
                accs.add(new CorpusAccumulator(k, served));
            }
            Progress progress = new Progress("radioactivity", -1, spec.commandLine().getErr());
            suspect.forEach(records, d -> {
                PositionFilter noPrompt = ContextFilters.excludingPrompt(d.promptIds(), window);
                for (CorpusAccumulator a : accs) {
                    a.accept(d.ids(), 0, d.ids().length, noPrompt);
                }
                progress.step(1);
            });
            progress.done();
            List<DetectionResult> raw = new ArrayList<>();
            for (CorpusAccumulator a : accs) {
                raw.add(a.result(fpr.fpr()));
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
        if (json.enabled()) {
            ObjectNode o = DetectionJson.mapper().createObjectNode();
            o.put("test", "radioactivity");
            o.put("documents", documents);
            o.put("filter", filter.given() ? "served-contexts" : "none");
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
                    + (filter.given() ? " (served-context filter)" : ""));
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
