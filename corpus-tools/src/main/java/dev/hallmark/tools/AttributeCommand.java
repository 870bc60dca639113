package dev.hallmark.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.attribution.AttributionAccumulator;
import dev.hallmark.attribution.AttributionResult;
import dev.hallmark.detect.ContextFilters;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.key.KeyFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hallmark attribute}: which of our accounts harvested the data a suspect model learned from? */
@Command(name = "attribute", mixinStandardHelpOptions = true,
        description = {"Account attribution: which accounts' coded watermarks does a suspect corpus carry?",
            "Scores each distinct tuple against the q group keys of its code position; accuses an account when",
            "degree*d+1 of its groups are positive (Bonferroni over all groups): no false accusation with",
            "probability >= 1 - fpr whenever at most d accounts harvested. See docs/attribution.md."})
final class AttributeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--master", required = true, description = "Master key file the account keys derive from.")
    Path master;

    @Mixin
    SuspectOptions suspect;

    @Mixin
    SchemeOption scheme;

    @Option(names = "--accounts", required = true, description = "Number of accounts (ids 0..N-1).")
    long accounts;

    @Option(names = "--code", defaultValue = "31,16,2", description = "Account code q,length,degree (default: ${DEFAULT-VALUE}).")
    String code;

    @Option(names = "--coalition", defaultValue = "3",
            description = "Largest number of harvesting accounts the guarantee covers (default: ${DEFAULT-VALUE}).")
    int coalition;

    @Option(names = "--fpr", defaultValue = "1e-3", description = "Family-wise false-accusation rate (default: ${DEFAULT-VALUE}).")
    double fpr;

    @Mixin
    ServedFilterOptions filter;

    @Mixin
    JsonOption json;

    @Mixin
    TokenizerOption tokenizer;

    static AccountCode parseCode(String s) {
        String[] p = s.split(",");
        if (p.length != 3) {
            throw new IllegalArgumentException("--code must be q,length,degree (e.g. 31,16,2), got '" + s + "'");
        }
        try {
            return new AccountCode(Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip()),
                    Integer.parseInt(p[2].strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--code must be three integers q,length,degree, got '" + s + "'");
        }
    }

    @Override
    public Integer call() throws Exception {
        AccountCode c = parseCode(code);
        c.threshold(coalition); // fail early if the code cannot separate the coalition
        AccountKeys keys = new AccountKeys(KeyFile.read(master), scheme.parse(), c);
        TokenizedRecords records = new TokenizedRecords(tokenizer);
        AttributionResult r;
        try {
            // account keys are Hallmark keys (AccountKeys refuses the interop schemes): an unpadded window
            ContextFilters.Window h = ContextFilters.Window.of(keys.scheme());
            PositionFilter served = filter.filter(records, suspect, h);
            AttributionAccumulator acc = new AttributionAccumulator(keys, served);
            Progress progress = new Progress("attribute", -1, spec.commandLine().getErr());
            suspect.forEach(records, d -> {
                acc.accept(d.ids(), ContextFilters.excludingPrompt(d.promptIds(), h));
                progress.step(1);
            });
            progress.done();
            r = acc.result(fpr, coalition, accounts);
        } finally {
            records.close();
        }
        print(r);
        return 0;
    }

    private void print(AttributionResult r) {
        PrintWriter out = spec.commandLine().getOut();
        if (json.enabled()) {
            out.println(toJson(r).toPrettyString());
        } else {
            out.println(String.format(Locale.ROOT,
                    "account attribution: %d tuples scored (%d repeated, %d filtered), %d accounts, code q=%d length=%d degree=%d",
                    r.tuplesScored(), r.skippedRepeated(), r.skippedFiltered(), r.accountsTested(), r.code().q(),
                    r.code().length(), r.code().degree()));
            out.println(String.format(Locale.ROOT, "  carries some account's watermark: log10 p = %.2f (%s at %g)",
                    r.distilledLog10P(), r.distilledLog10P() <= Math.log10(r.alpha()) ? "YES" : "no", r.alpha()));
            out.println(String.format(Locale.ROOT,
                    "  accused (>= %d of %d groups positive; valid for coalitions of <= %d accounts, FWER %g): %d",
                    r.threshold(), r.code().length(), r.coalitionBound(), r.alpha(), r.accused().size()));
            for (AttributionResult.Accusation a : r.accused()) {
                out.println(String.format(Locale.ROOT, "    account %d: %d positive groups, log10 p = %.2f",
                        a.account(), a.positiveGroups(), a.log10P()));
            }
        }
        out.flush();
    }

    static ObjectNode toJson(AttributionResult r) {
        ObjectNode o = DetectionJson.mapper().createObjectNode();
        o.put("test", "attribution");
        o.put("scheme", r.scheme());
        o.put("master_key_id", r.masterId());
        ObjectNode c = o.putObject("code");
        c.put("q", r.code().q());
        c.put("length", r.code().length());
        c.put("degree", r.code().degree());
        o.put("tokens_seen", r.tokensSeen());
        o.put("tokens_scored", r.tuplesScored());
        ObjectNode sk = o.putObject("skipped");
        sk.put("repeated", r.skippedRepeated());
        sk.put("filtered", r.skippedFiltered());
        o.put("alpha", r.alpha());
        o.put("coalition_bound", r.coalitionBound());
        o.put("threshold", r.threshold());
        o.put("accounts_tested", r.accountsTested());
        o.put("distilled_log10_p", r.distilledLog10P());
        o.put("distilled", r.distilledLog10P() <= Math.log10(r.alpha()));
        ArrayNode a = o.putArray("accused");
        for (AttributionResult.Accusation x : r.accused()) {
            ObjectNode n = a.addObject();
            n.put("account", x.account());
            n.put("positive_groups", x.positiveGroups());
            n.put("log10_p", x.log10P());
        }
        return o;
    }
}
