package dev.hallmark.tools.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.detect.ContextFilters;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.generate.LanguageModel;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.tools.Hallmark;
import dev.hallmark.tools.serve.Accounts;
import dev.hallmark.tools.serve.Keying;
import dev.hallmark.tools.serve.ServeServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The distillation story end to end over loopback HTTP. The lab serves its teacher with
 * {@code hallmark serve} (coded account keys, N accounts); k harvesting accounts and many innocent
 * accounts send prompts through an OpenAI-compatible client; students are trained on the harvest at
 * watermarked fractions rho, each served by {@code hallmark serve} without a watermark; the analyst
 * audits every student's endpoint with {@code hallmark probe} and runs the radioactivity test and
 * account attribution on what it collected ({@link SuspectTester}, at fixed budgets of tokens
 * probed). Controls: a student of the same teacher served without a watermark, and a student that
 * never saw the lab's output while only innocent accounts used the API. Every server is a real
 * socket on 127.0.0.1 inside this JVM.
 */
public final class HttpStory {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The lab. */
    public record Lab(long masterSeed, long accounts, AccountCode code, int coalition, double alpha, int harvesters,
            int innocents, String scheme) {
    }

    /** The API traffic: harvest prompts split evenly among the harvesters; each innocent asks a few. */
    public record Traffic(int harvestPrompts, int innocentRequests, int maxTokens, double temperature, double topP,
            int concurrency, int maxBatch) {
    }

    /** A student family: trained at each rho. */
    public record Student(String name, String kind, int order, List<Double> rho, long trainTokens,
            DistillConfig.Neural neural) {
    }

    /** The analyst's audit of each student endpoint. */
    public record Probe(int maxTokens, double topP, List<Long> budgets, int concurrency, List<String> filters,
            int calibrationMasters) {
    }

    /** The controls (both trained like {@code student} at rho = 1 and 0 respectively). */
    public record Controls(boolean unwatermarkedTeacher, boolean innocentOnly, Student student) {
    }

    /**
     * Everything a run needs.
     *
     * @param harvestPrompts prompt texts for the lab's traffic (harvest first, then innocents')
     * @param freshPrompts prompt texts the analyst probes with (never in the traffic)
     * @param cliReports also run {@code hallmark attribute} on each probe file (needs the codec to be
     *     the CLI's default tokenizer)
     */
    public record Setup(String name, long seed, Codec codec, LanguageModel teacher, String teacherName,
            List<int[]> human, List<String> harvestPrompts, List<String> freshPrompts, Lab lab, Traffic traffic,
            List<Student> students, Probe probe, Controls controls, Path work, boolean cliReports) {
    }

    private final Setup s;
    private final PrintWriter err;
    private final ObjectNode timings = JSON.createObjectNode();
    private WatermarkKey master;
    private AccountKeys keys;
    private long[] harvesters;
    private long[] innocents;
    private List<String> apiKeys;
    private Path freshFile;

    public HttpStory(Setup setup, PrintWriter err) {
        this.s = setup;
        this.err = err;
    }

    private long seed(String label) {
        return sha256Long(s.seed() + "/" + label);
    }

    /** The first 8 bytes of SHA-256 of {@code text}, big-endian: seeds and cache names. */
    static long sha256Long(String text) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(d).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs every stage; returns the results (rows, controls, timings). */
    public ObjectNode run() throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(s.work());
        Lab lab = s.lab();
        master = Pipeline.simulatedKey("http-master/" + lab.masterSeed());
        Scheme scheme = Scheme.parse(lab.scheme());
        keys = new AccountKeys(master, scheme, lab.code());
        Path accountsFile = accounts();
        Path masterFile = s.work().resolve("master.json");
        if (!Files.exists(masterFile)) {
            KeyFile.write(masterFile, master, false);
        }
        SplittableRandom pick = new SplittableRandom(seed("accounts"));
        harvesters = Pipeline.drawAccounts(lab.harvesters(), lab.accounts(), pick);
        innocents = drawOthers(lab.innocents(), lab.accounts(), harvesters, pick);
        err.printf(Locale.ROOT, "http story: master %s, %,d accounts (coded %s), harvesting accounts %s, %d innocent "
                + "accounts%n", master.id(), lab.accounts(), lab.code(), Arrays.toString(harvesters), innocents.length);
        writeFresh();

        // 1. the lab serves its teacher, watermarked per account; the accounts' traffic over HTTP
        List<HttpTraffic.Request> requests = requests(true);
        List<HttpTraffic.Served> served = serveTeacher(Keying.coded(master, scheme, lab.code()), requests, "teacher");
        List<HttpTraffic.Served> plainServed = null;
        if (s.controls().unwatermarkedTeacher()) {
            plainServed = serveTeacher(Keying.none(), requests(false), "teacher-unwatermarked");
        }
        List<Pipeline.TeacherDoc> harvest = docs(served, true);
        ContextFilters.Window h = ContextFilters.Window.of(scheme);
        List<int[]> servedIds = new ArrayList<>();
        List<int[]> innocentIds = new ArrayList<>();
        for (Pipeline.TeacherDoc d : docs(served, false)) {
            servedIds.add(d.completion());
            if (!isHarvester(d.account())) {
                innocentIds.add(d.completion());
            }
        }
        PositionFilter servedFilter = SuspectTester.servedFilter(servedIds, h, 0);
        ObjectNode res = JSON.createObjectNode();
        res.put("experiment", s.name());
        res.set("lab", labJson(served));
        List<ObjectNode> rows = new ArrayList<>();

        // 2. students at each rho, each served plainly and probed by the analyst
        for (Student st : s.students()) {
            for (double rho : st.rho()) {
                rows.addAll(student(st, rho, harvest, harvesters, servedFilter, "lab", st.name() + "/rho=" + rho));
            }
        }
        // 3. controls
        if (plainServed != null) {
            List<Pipeline.TeacherDoc> plainHarvest = docs(plainServed, true);
            List<int[]> plainIds = new ArrayList<>();
            plainServed.forEach(x -> plainIds.add(s.codec().encode(x.completion())));
            rows.addAll(student(s.controls().student(), 1.0, plainHarvest, harvesters,
                    SuspectTester.servedFilter(plainIds, h, 0), "control-unwatermarked-teacher",
                    "control-unwatermarked/rho=1.0"));
        }
        if (s.controls().innocentOnly()) {
            rows.addAll(student(s.controls().student(), 0.0, harvest, harvesters,
                    SuspectTester.servedFilter(innocentIds.isEmpty() ? servedIds : innocentIds, h, 0),
                    "control-innocent-only", "control-innocent-only/rho=0.0"));
        }
        res.set("rows", JSON.valueToTree(rows));
        timings.put("total_seconds", (System.nanoTime() - t0) / 1e9);
        res.set("timings", timings);
        return res;
    }

    // ------------------------------------------------------------------ the lab and its traffic

    /** N accounts with simulated API keys (never real credentials), indices 0..N-1. */
    private Path accounts() throws IOException {
        Path f = s.work().resolve("accounts.jsonl");
        apiKeys = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (long i = 0; i < s.lab().accounts(); i++) {
            String key = "sk-sim-" + Long.toHexString(seed("api-key/" + i) & Long.MAX_VALUE);
            apiKeys.add(key);
            sb.append("{\"account\": \"acct-").append(i).append("\", \"api_key\": \"").append(key)
                    .append("\", \"index\": ").append(i).append("}\n");
        }
        Files.writeString(f, sb, StandardCharsets.UTF_8);
        return f;
    }

    private static long[] drawOthers(int count, long accounts, long[] exclude, SplittableRandom r) {
        Set<Long> ex = new HashSet<>();
        for (long x : exclude) {
            ex.add(x);
        }
        if (count > accounts - exclude.length) {
            throw new IllegalArgumentException("lab.innocents " + count + " exceeds the other accounts");
        }
        Set<Long> out = new java.util.LinkedHashSet<>();
        while (out.size() < count) {
            long a = r.nextLong(accounts);
            if (!ex.contains(a)) {
                out.add(a);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private boolean isHarvester(long a) {
        for (long x : harvesters) {
            if (x == a) {
                return true;
            }
        }
        return false;
    }

    /**
     * The traffic: harvest prompt i goes to harvester i mod k; innocent j asks prompts from after the
     * harvest ones; all shuffled together. {@code withInnocents} false: the harvest only.
     */
    private List<HttpTraffic.Request> requests(boolean withInnocents) {
        Traffic t = s.traffic();
        List<HttpTraffic.Request> out = new ArrayList<>();
        int need = t.harvestPrompts() + (withInnocents ? innocents.length * t.innocentRequests() : 0);
        if (need > s.harvestPrompts().size()) {
            throw new IllegalArgumentException("the traffic needs " + need + " prompts, only "
                    + s.harvestPrompts().size() + " can be cut from the human text");
        }
        for (int i = 0; i < t.harvestPrompts(); i++) {
            long a = harvesters[i % harvesters.length];
            out.add(new HttpTraffic.Request(0, a, apiKeys.get((int) a), i, s.harvestPrompts().get(i), 0));
        }
        if (withInnocents) {
            int p = t.harvestPrompts();
            for (long a : innocents) {
                for (int j = 0; j < t.innocentRequests(); j++, p++) {
                    out.add(new HttpTraffic.Request(0, a, apiKeys.get((int) a), p, s.harvestPrompts().get(p), 0));
                }
            }
        }
        Pipeline.shuffle(out, new SplittableRandom(seed("traffic-order")));
        List<HttpTraffic.Request> numbered = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            HttpTraffic.Request r = out.get(i);
            numbered.add(new HttpTraffic.Request(i, r.account(), r.apiKey(), r.promptIndex(), r.prompt(),
                    seed("request/" + r.promptIndex()) & Long.MAX_VALUE));
        }
        return numbered;
    }

    private List<HttpTraffic.Served> serveTeacher(Keying keying, List<HttpTraffic.Request> requests, String label)
            throws IOException {
        long t0 = System.nanoTime();
        Traffic t = s.traffic();
        String sig = label + "|" + s.teacherName() + "|" + s.lab() + "|" + t + "|" + s.seed() + "|" + requests.size()
                + "|" + s.codec().vocabularySize();
        Path file = s.work().resolve("traffic-" + label + "-" + Long.toHexString(sha256Long(sig))
                + ".jsonl");
        List<HttpTraffic.Served> out;
        try (ServeServer server = ServeServer.start(s.teacher(), s.codec()::decode, s.codec()::encode,
                Accounts.read(s.work().resolve("accounts.jsonl")), keying, new ServeServer.Options("127.0.0.1", 0,
                        s.teacherName(), t.maxBatch(), 1 << 16, t.maxTokens(), 4096, 1, 0, 1, s.codec().stopIds()))) {
            err.printf(Locale.ROOT, "http story: %s at %s (%s), %d requests%n", label, server.baseUrl(), keying.describe(),
                    requests.size());
            err.flush();
            out = HttpTraffic.run(server.baseUrl(), s.teacherName(), requests, t.maxTokens(), t.temperature(), t.topP(),
                    t.concurrency(), file, label, err);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long tokens = 0;
        for (HttpTraffic.Served x : out) {
            tokens += s.codec().encode(x.completion()).length;
        }
        ObjectNode o = timings.putObject(label);
        o.put("seconds", secs);
        o.put("requests", out.size());
        o.put("completion_tokens", tokens);
        o.put("note", "answers cached in " + file.getFileName() + " are not asked again, so a resumed run's time "
                + "covers only what was missing");
        err.printf(Locale.ROOT, "http story: %s served %,d requests, %,d tokens in %.0f s%n", label, out.size(), tokens,
                secs);
        return out;
    }

    /** The served answers as teacher documents (token ids), optionally the harvesters' only. */
    private List<Pipeline.TeacherDoc> docs(List<HttpTraffic.Served> served, boolean harvestOnly) {
        List<Pipeline.TeacherDoc> out = new ArrayList<>();
        for (HttpTraffic.Served x : served) {
            if (!harvestOnly || isHarvester(x.account())) {
                out.add(new Pipeline.TeacherDoc(s.codec().encode(x.prompt()), s.codec().encode(x.completion()),
                        x.account()));
            }
        }
        return out;
    }

    private ObjectNode labJson(List<HttpTraffic.Served> served) {
        ObjectNode o = JSON.createObjectNode();
        o.put("master_key_id", master.id());
        o.put("accounts", s.lab().accounts());
        o.put("scheme", s.lab().scheme());
        o.set("code", JSON.valueToTree(List.of(s.lab().code().q(), s.lab().code().length(), s.lab().code().degree())));
        o.put("coalition_bound", s.lab().coalition());
        o.put("threshold", s.lab().code().threshold(s.lab().coalition()));
        o.put("alpha", s.lab().alpha());
        o.set("harvesting_accounts", JSON.valueToTree(harvesters));
        o.put("innocent_accounts", innocents.length);
        long h = 0;
        long i = 0;
        for (HttpTraffic.Served x : served) {
            long n = s.codec().encode(x.completion()).length;
            if (isHarvester(x.account())) {
                h += n;
            } else {
                i += n;
            }
        }
        o.put("harvest_tokens", h);
        o.put("innocent_tokens", i);
        return o;
    }

    private void writeFresh() throws IOException {
        freshFile = s.work().resolve("fresh-prompts.jsonl");
        StringBuilder sb = new StringBuilder();
        for (String p : s.freshPrompts()) {
            ObjectNode o = JSON.createObjectNode();
            o.put("prompt", p);
            sb.append(o).append('\n');
        }
        Files.writeString(freshFile, sb, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ students

    private List<ObjectNode> student(Student st, double rho, List<Pipeline.TeacherDoc> harvest, long[] from,
            PositionFilter served, String kind, String label) throws IOException {
        ObjectNode time = timings.putObject(label);
        long t0 = System.nanoTime();
        Pipeline.Mix mix = Pipeline.mix(harvest, from, s.human(), rho, st.trainTokens(),
                new SplittableRandom(seed("mix/" + label)));
        String studentName = "student-" + label.replace('/', '-').replace('=', '-');
        LanguageModel lm;
        NeuralStudent neural = null;
        if (st.kind().equals("neural")) {
            neural = NeuralStudent.train(mix.docs(), s.codec().vocabularySize(), s.codec().endOfText(), st.neural(),
                    seed("student/" + label), err);
            lm = neural.model();
        } else {
            lm = new NgramLanguageModel(NgramModel.fit(mix.docs(), s.codec().vocabularySize(), st.order()), studentName);
        }
        time.put("train_seconds", (System.nanoTime() - t0) / 1e9);
        try {
            Path collected = probe(lm, studentName, label, time);
            long t2 = System.nanoTime();
            List<Pipeline.SuspectDoc> docs = suspectDocs(collected);
            List<ObjectNode> rows = measure(docs, served, st, rho, mix, kind, label, collected);
            time.put("analysis_seconds", (System.nanoTime() - t2) / 1e9);
            return rows;
        } finally {
            if (neural != null) {
                neural.close();
            }
        }
    }

    /** Serves the student plainly and runs {@code hallmark probe} against it. */
    private Path probe(LanguageModel lm, String name, String label, ObjectNode time) throws IOException {
        long t0 = System.nanoTime();
        Probe p = s.probe();
        Path dir = s.work().resolve("probe");
        Files.createDirectories(dir);
        String key = "sk-analyst-" + Long.toHexString(seed("analyst/" + label) & Long.MAX_VALUE);
        Path acc = dir.resolve(name + "-accounts.jsonl");
        Files.writeString(acc, "{\"account\": \"analyst\", \"api_key\": \"" + key + "\"}\n");
        Path keyFile = dir.resolve(name + ".api-key");
        Files.writeString(keyFile, key + "\n");
        Path out = dir.resolve(name + ".jsonl");
        Files.deleteIfExists(out); // a student is trained afresh each run: never resume another's answers
        long maxBudget = p.budgets().get(p.budgets().size() - 1);
        int prompts = (int) Math.min(s.freshPrompts().size(), (long) Math.ceil(1.25 * maxBudget / p.maxTokens()));
        int samples = (int) Math.max(1, Math.ceil(1.25 * maxBudget / ((double) p.maxTokens() * s.freshPrompts().size())));
        try (ServeServer server = ServeServer.start(lm, s.codec()::decode, s.codec()::encode, Accounts.read(acc),
                Keying.none(), new ServeServer.Options("127.0.0.1", 0, name, s.traffic().maxBatch(), 1 << 16,
                        p.maxTokens(), 4096, 1, 0, 1, s.codec().stopIds()))) {
            StringWriter o = new StringWriter();
            var cl = Hallmark.commandLine();
            cl.setOut(new PrintWriter(o, true));
            cl.setErr(err);
            int rc = cl.execute("probe", "--endpoint", server.baseUrl(), "--api-key-file", keyFile.toString(),
                    "--prompts", freshFile.toString(), "--out", out.toString(), "--model", name, "--max-tokens",
                    Integer.toString(p.maxTokens()), "--top-p", Double.toString(p.topP()), "--limit", Integer.toString(prompts), "--samples-per-prompt",
                    Integer.toString(samples), "--concurrency", Integer.toString(p.concurrency()), "--seed",
                    Long.toString(seed("probe/" + label) & Long.MAX_VALUE));
            if (rc != 0) {
                throw new IllegalStateException("hallmark probe of " + label + " failed (exit " + rc + ")");
            }
        }
        time.put("serve_and_probe_seconds", (System.nanoTime() - t0) / 1e9);
        return out;
    }

    /** The collected answers as suspect documents, in (sample, prompt) order. */
    private List<Pipeline.SuspectDoc> suspectDocs(Path collected) throws IOException {
        List<JsonNode> recs = new ArrayList<>();
        for (String line : Files.readAllLines(collected, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                recs.add(JSON.readTree(line));
            }
        }
        recs.sort((a, b) -> a.get("sample").asInt() != b.get("sample").asInt()
                ? Integer.compare(a.get("sample").asInt(), b.get("sample").asInt())
                : Integer.compare(a.get("prompt_index").asInt(), b.get("prompt_index").asInt()));
        List<Pipeline.SuspectDoc> out = new ArrayList<>();
        for (JsonNode r : recs) {
            out.add(new Pipeline.SuspectDoc(s.codec().encode(r.get("prompt").asText()),
                    s.codec().encode(r.get("completion").asText())));
        }
        return out;
    }

    private List<ObjectNode> measure(List<Pipeline.SuspectDoc> docs, PositionFilter served, Student st, double rho,
            Pipeline.Mix mix, String kind, String label, Path collected) throws IOException {
        Lab lab = s.lab();
        List<SuspectTester.Variant> variants = new ArrayList<>();
        for (String f : s.probe().filters()) {
            variants.add(new SuspectTester.Variant(f, f.equals("off") ? PositionFilter.ALL : served, 0));
        }
        SuspectTester tester = new SuspectTester(keys, variants, SuspectTester.PromptExclusion.CONTEXTS, harvesters,
                lab.accounts(), lab.alpha(), lab.coalition());
        List<ObjectNode> rows = new ArrayList<>();
        long tokens = docs.stream().mapToLong(d -> d.completion().length).sum();
        // never-deployed masters: the same suspect text under keys the lab never used (null draws)
        int calAccusing = 0;
        List<Double> calP = new ArrayList<>();
        for (int j = 0; j < s.probe().calibrationMasters(); j++) {
            AccountKeys never = new AccountKeys(Pipeline.simulatedKey("never-deployed/" + label + "/" + j),
                    Scheme.parse(lab.scheme()), lab.code());
            SuspectTester.Measurement m = new SuspectTester(never, List.of(variants.get(0)),
                    SuspectTester.PromptExclusion.CONTEXTS, harvesters, lab.accounts(), lab.alpha(), lab.coalition())
                    .run(docs, List.of(tokens)).get(0);
            calAccusing += m.accused().length > 0 ? 1 : 0;
            calP.add(m.distilledLog10P());
        }
        JsonNode cli = s.cliReports() ? cliAttribution(collected) : null;
        for (SuspectTester.Measurement m : tester.run(docs, s.probe().budgets())) {
            ObjectNode o = JSON.createObjectNode();
            o.put("student", label.substring(0, label.indexOf('/')));
            o.put("student_kind", st.kind());
            o.put("kind", kind);
            o.put("rho", rho);
            o.put("rho_realised", mix.rho());
            o.put("train_tokens", mix.tokens());
            o.put("watermarked_tokens", mix.watermarkedTokens());
            o.put("filter", m.filter());
            o.put("budget", m.budget());
            o.put("tokens_probed", m.tokensRead());
            o.put("documents", m.documents());
            o.put("tuples_scored", m.tuplesScored());
            o.put("distilled_log10_p", m.distilledLog10P());
            o.put("radioactive", m.distilledLog10P() <= Math.log10(lab.alpha()));
            o.set("harvester_log10_p", JSON.valueToTree(m.harvesterLog10P()));
            o.put("scan_best_account", m.scanBestAccount());
            o.put("scan_log10_p", m.scanLog10P());
            o.set("accused", JSON.valueToTree(m.accused()));
            o.put("found", m.found());
            o.put("false_accused", m.falseAccused());
            o.put("innocent_max_positive_groups", m.innocentMaxPositive());
            o.put("threshold", m.threshold());
            o.put("calibration_masters", s.probe().calibrationMasters());
            o.put("calibration_accusing_masters", calAccusing);
            o.set("calibration_distilled_log10_p", JSON.valueToTree(calP));
            if (cli != null && m.budget() == s.probe().budgets().get(s.probe().budgets().size() - 1)
                    && m.filter().equals("off")) {
                o.set("cli_attribution", cli);
            }
            rows.add(o);
        }
        err.printf(Locale.ROOT, "http story: %s: %,d tokens probed; %s%n", label, tokens, summary(rows));
        err.flush();
        return rows;
    }

    private static String summary(List<ObjectNode> rows) {
        ObjectNode last = rows.get(rows.size() - 1);
        return String.format(Locale.ROOT, "%s at %d: distilled log10 p %.1f, accused %s, false %d",
                last.get("filter").asText(), last.get("budget").asLong(), last.get("distilled_log10_p").asDouble(),
                last.get("accused"), last.get("false_accused").asInt());
    }

    /** {@code hallmark attribute --json} on the probe's file: the CLI's own report. */
    private JsonNode cliAttribution(Path collected) throws IOException {
        Lab lab = s.lab();
        StringWriter o = new StringWriter();
        var cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        int rc = cl.execute("attribute", "--suspect", collected.toString(), "--master",
                s.work().resolve("master.json").toString(), "--accounts", Long.toString(lab.accounts()), "--scheme",
                lab.scheme(), "--code", lab.code().q() + "," + lab.code().length() + "," + lab.code().degree(),
                "--coalition", Integer.toString(lab.coalition()), "--fpr", Double.toString(lab.alpha()), "--json");
        if (rc != 0) {
            throw new IllegalStateException("hallmark attribute on " + collected + " failed (exit " + rc + ")");
        }
        return JSON.readTree(o.toString());
    }
}
