package dev.hallmark.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hallmark.detect.Calibration;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark calibrate}: empirical false-positive rates of the detector on the user's own
 * unwatermarked text, per length and alpha, under never-deployed keys ({@link Calibration}).
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Do the nominal p-values hold on YOUR text? Scores non-overlapping windows of each length under",
            "--keys never-deployed keys and reports false-positive rates with exact (Clopper-Pearson) intervals,",
            "binomial limits, duplicate and repeated-template diagnostics, and a verdict."})
final class CalibrateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", required = true, description = "Unwatermarked documents: JSONL (field --field), .gz allowed.")
    Path corpus;

    @Option(names = "--format", defaultValue = "jsonl", description = "jsonl | ids (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--field", defaultValue = "text", description = "JSONL field holding the text (default: ${DEFAULT-VALUE}).")
    String field;

    @Mixin
    SchemeOption scheme;

    @Option(names = "--keys", defaultValue = "200", description = "Never-deployed keys (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--lengths", defaultValue = "50,100,200,400", split = ",",
            description = "Window lengths in tokens (default: ${DEFAULT-VALUE}).")
    int[] lengths;

    @Option(names = "--alphas", defaultValue = "0.01,0.001", split = ",",
            description = "Nominal false-positive rates (default: ${DEFAULT-VALUE}).")
    double[] alphas;

    @Mixin
    SeedOption seed;

    @Mixin
    JsonOption json;

    @Mixin
    TokenizerOption tokenizer;

    @Override
    public Integer call() throws Exception {
        Scheme s = scheme.parse();
        if (keys < 1 || keys > 100_000) {
            throw new IllegalArgumentException("--keys must be in [1, 100000], got " + keys);
        }
        InputRecords.Format fmt = InputRecords.parseFormat(format);
        if (fmt == InputRecords.Format.TEXT) {
            throw new IllegalArgumentException("--format text is one document; calibration needs many (jsonl or ids)");
        }
        List<int[]> docs = new ArrayList<>();
        TextTokenizer tok = null;
        try (InputRecords in = InputRecords.open(corpus, fmt, field)) {
            while (in.hasNext()) {
                InputRecords.Record r = in.next();
                if (r.ids() == null && tok == null) {
                    tok = tokenizer.open();
                }
                docs.add(r.ids() != null ? r.ids() : tok.encode(r.text()));
            }
        } finally {
            if (tok != null) {
                tok.close();
            }
        }
        if (docs.isEmpty()) {
            throw new IllegalArgumentException("corpus " + corpus + " holds no documents");
        }
        Calibration.Report rep = Calibration.run(docs, s, neverDeployed(keys, seed.seed()), lengths, alphas);
        PrintWriter out = spec.commandLine().getOut();
        if (json.enabled()) {
            com.fasterxml.jackson.databind.JsonNode tree = mapper().valueToTree(rep);
            for (com.fasterxml.jackson.databind.JsonNode cell : tree.get("cells")) {
                com.fasterxml.jackson.databind.node.ObjectNode c = (com.fasterxml.jackson.databind.node.ObjectNode) cell;
                List<String> names = new ArrayList<>();
                c.fieldNames().forEachRemaining(names::add);
                for (String f : names) {
                    if (c.get(f).isNumber() && !Double.isFinite(c.get(f).doubleValue())) {
                        c.putNull(f); // no window of that length: the number does not exist (JSON has no NaN)
                    }
                }
            }
            out.println(tree.toPrettyString());
        } else {
            print(out, rep);
        }
        out.flush();
        return 0;
    }

    /** K keys drawn from the seed: never deployed, never written anywhere. */
    static List<WatermarkKey> neverDeployed(int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x63616c6962726174L);
        List<WatermarkKey> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            byte[] secret = new byte[WatermarkKey.SECRET_BYTES];
            r.nextBytes(secret);
            out.add(WatermarkKey.fromSecret(secret));
        }
        return out;
    }

    static ObjectMapper mapper() {
        ObjectMapper om = new ObjectMapper();
        om.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        om.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        return om;
    }

    private static void print(PrintWriter out, Calibration.Report rep) {
        Calibration.Diagnostics d = rep.diagnostics();
        out.printf(Locale.ROOT, "calibration of %s with %d never-deployed keys%n", rep.scheme(), rep.keys());
        out.printf(Locale.ROOT, "documents %d (%d exact duplicates removed), %d tokens; %d distinct tuples, %d of them in "
                + "2+ documents; %.1f%% of positions score a tuple shared with another document%n", d.documentsIn(),
                d.duplicatesRemoved(), d.tokens(), d.distinctTuples(), d.tuplesInSeveralDocuments(),
                100 * d.positionsInSharedTuples());
        out.println("length  alpha   windows  tests    false+  rate     95% CI (Clopper-Pearson)  limit  99% CI (keys as units)"
                + "  dispersion  one key's rate    repeated  verdict");
        for (Calibration.Cell c : rep.cells()) {
            boolean none = c.windows() == 0;
            out.printf(Locale.ROOT, "%-7d %-7s %-8d %-8d %-7d %-8s %-25s %-6d %-23s %-11s %-17s %-9s %s%n", c.length(),
                    String.format(Locale.ROOT, "%.0e", c.alpha()), c.windows(), c.tests(), c.falsePositives(),
                    none ? "-" : String.format(Locale.ROOT, "%.5f", c.rate()),
                    none ? "-" : String.format(Locale.ROOT, "[%.5f, %.5f]", c.ci95Lower(), c.ci95Upper()), c.limit(),
                    none ? "-" : String.format(Locale.ROOT, "[%.5f, %.5f]", c.keyClustered99Lower(), c.keyClustered99Upper()),
                    none ? "-" : String.format(Locale.ROOT, "%.2f", c.dispersion()),
                    none ? "-" : String.format(Locale.ROOT, "%.4f-%.4f", c.perKeyMinRate(), c.perKeyMaxRate()),
                    none ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * c.repeatedShare()), c.verdict());
        }
        out.println("verdict: " + rep.verdict());
    }
}
