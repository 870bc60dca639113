package dev.hallmark.tools.distill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hallmark.attribution.AccountCode;
import dev.hallmark.scheme.Scheme;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The configuration of {@code hallmark distill}: YAML or JSON (by extension), snake_case keys,
 * unknown keys rejected. Every field has a default, so a config names only what it changes;
 * {@link #toJson()} prints the resolved configuration into the results.
 *
 * @param name experiment name (results file prefix)
 * @param seed master seed: every random choice (accounts, prompt order, mixes, students,
 *     sampling) derives from it
 * @param work cache directory (teacher corpora, tokenized text); configs that share teacher
 *     corpora name the same one (default {@code datasets/build/distill/<name>})
 * @param lab the lab's deployment: master key, accounts, code, schemes' test level
 * @param teacher the teacher model and its generation settings
 * @param corpora the teacher corpora to generate (each once, cached in the work directory)
 * @param human the unwatermarked human text mixed into students' training data
 * @param suspect how students are prompted and how their outputs are tested
 * @param runs the student runs (sweeps)
 */
public record DistillConfig(String name, Long seed, String work, Lab lab, Teacher teacher, List<Corpus> corpora,
        Human human, Suspect suspect, List<Run> runs) {

    public DistillConfig {
        name = name == null ? "distill" : name;
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        seed = seed == null ? 20251123L : seed;
        work = work == null ? "datasets/build/distill/" + name : work;
        lab = lab == null ? new Lab(null, null, null, null, null, null) : lab;
        teacher = teacher == null ? new Teacher(null, null, null, null, null, null, null, null) : teacher;
        if (corpora == null || corpora.isEmpty()) {
            throw new IllegalArgumentException("corpora: at least one teacher corpus is needed");
        }
        corpora = List.copyOf(corpora);
        Set<String> names = new HashSet<>();
        for (Corpus c : corpora) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("corpora: duplicate corpus name '" + c.name() + "'");
            }
            if (c.shares().size() > lab.harvesters()) {
                throw new IllegalArgumentException("corpus '" + c.name() + "': " + c.shares().size()
                        + " account shares but lab.harvesters is " + lab.harvesters());
            }
        }
        human = human == null ? new Human(null, null) : human;
        suspect = suspect == null ? new Suspect(null, null, null, null, null, null) : suspect;
        if (runs == null || runs.isEmpty()) {
            throw new IllegalArgumentException("runs: at least one run is needed");
        }
        runs = List.copyOf(runs);
        Set<String> runNames = new HashSet<>();
        for (Run r : runs) {
            if (!runNames.add(r.name())) {
                throw new IllegalArgumentException("runs: duplicate run name '" + r.name() + "'");
            }
            Corpus c = corpora.stream().filter(x -> x.name().equals(r.corpus())).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("run '" + r.name() + "': unknown corpus '" + r.corpus()
                            + "' (corpora: " + names + ")"));
            // an unwatermarked corpus has no accounts: its runs name which of the lab's accounts are tested
            int through = c.schemeOrNull() == null ? lab.harvesters() : c.shares().size();
            if (r.harvesters() > through) {
                throw new IllegalArgumentException("run '" + r.name() + "': harvesters " + r.harvesters()
                        + (c.schemeOrNull() == null ? " but lab.harvesters is " + through
                                : " but corpus '" + c.name() + "' was generated through " + through + " accounts"));
            }
            if (r.scheme() != null && c.schemeOrNull() != null && !r.scheme().equals(c.scheme())) {
                throw new IllegalArgumentException("run '" + r.name() + "': scheme " + r.scheme()
                        + " differs from the corpus scheme " + c.scheme());
            }
            if (c.schemeOrNull() == null && r.scheme() == null) {
                throw new IllegalArgumentException("run '" + r.name() + "': corpus '" + c.name()
                        + "' is unwatermarked; name the scheme the lab tests with (scheme: ...)");
            }
        }
    }

    /** The scheme a run is tested with: its own, else its corpus's. */
    public String schemeOf(Run r) {
        return r.scheme() != null ? r.scheme() : corpus(r.corpus()).scheme();
    }

    public Corpus corpus(String name) {
        return corpora.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    /**
     * The lab: a simulated master key (derived from {@code masterSeed}), N accounts with
     * Reed-Solomon coded keys, of which {@code harvesters} (drawn by the seed) generate the
     * teacher corpora.
     *
     * @param masterSeed seed of the simulated master key
     * @param accounts N, the number of accounts (at most the code's capacity)
     * @param code q, length, degree of the account code
     * @param coalition the coalition bound d the attribution guarantee is stated for
     * @param alpha family-wise false-accusation rate, and the radioactivity tests' level
     * @param harvesters how many distinct accounts the teacher corpora are generated through
     */
    public record Lab(Long masterSeed, Long accounts, List<Integer> code, Integer coalition, Double alpha,
            Integer harvesters) {
        public Lab {
            masterSeed = masterSeed == null ? 1L : masterSeed;
            accounts = accounts == null ? 24_000L : accounts;
            code = code == null ? List.of(31, 16, 2) : List.copyOf(code);
            if (code.size() != 3) {
                throw new IllegalArgumentException("lab.code must be [q, length, degree], got " + code);
            }
            AccountCode c = new AccountCode(code.get(0), code.get(1), code.get(2));
            if (accounts < 1 || accounts > c.capacity()) {
                throw new IllegalArgumentException("lab.accounts must be in [1, " + c.capacity() + "] for code " + code
                        + ", got " + accounts);
            }
            coalition = coalition == null ? 4 : coalition;
            c.threshold(coalition);
            alpha = alpha == null ? 1e-3 : alpha;
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("lab.alpha must be in (0, 1), got " + alpha);
            }
            harvesters = harvesters == null ? 4 : harvesters;
            if (harvesters < 1 || harvesters > accounts) {
                throw new IllegalArgumentException("lab.harvesters must be in [1, accounts], got " + harvesters);
            }
        }

        public AccountCode accountCode() {
            return new AccountCode(code.get(0), code.get(1), code.get(2));
        }
    }

    /**
     * The teacher.
     *
     * @param model a model directory ({@code TransformerLm}), or {@code ngram:K} for an order-K
     *     n-gram of the human corpus (quick runs and tests)
     * @param prompts how many harvest prompts to cut from the human training documents
     * @param maxNewTokens tokens per completion (generation stops earlier at end of text)
     * @param batch prompts generated together
     * @param temperature sampling temperature
     * @param topK top-k (0 = off)
     * @param topP top-p (1 = off)
     * @param threads PyTorch intra-op threads (1 is best on a shared machine)
     */
    public record Teacher(String model, Integer prompts, Integer maxNewTokens, Integer batch, Double temperature,
            Integer topK, Double topP, Integer threads) {
        public Teacher {
            model = model == null ? "datasets/models/default" : model;
            prompts = prompts == null ? 1000 : prompts;
            maxNewTokens = maxNewTokens == null ? 200 : maxNewTokens;
            batch = batch == null ? 32 : batch;
            temperature = temperature == null ? 1.0 : temperature;
            topK = topK == null ? 0 : topK;
            topP = topP == null ? 0.95 : topP;
            threads = threads == null ? 1 : threads;
            if (prompts < 1 || maxNewTokens < 1 || batch < 1 || threads < 1) {
                throw new IllegalArgumentException("teacher.prompts, max_new_tokens, batch and threads must be >= 1");
            }
            ngramOrder(model); // validates ngram:K
        }

        /** The n-gram order if the model is {@code ngram:K}, else 0. */
        public int ngramOrder() {
            return ngramOrder(model);
        }

        private static int ngramOrder(String model) {
            if (!model.startsWith("ngram")) {
                return 0;
            }
            try {
                int k = model.equals("ngram") ? 3 : Integer.parseInt(model.substring("ngram:".length()));
                if (k < 1 || k > 3) {
                    throw new NumberFormatException();
                }
                return k;
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("teacher.model 'ngram:K' needs K in 1..3, got '" + model + "'");
            }
        }
    }

    /**
     * A scheme the simulated lab can serve and test with, canonical. The lab serves every account
     * with its own derived Hallmark key ({@code AccountKeys}), so the interop schemes (whose keys
     * are a third party's: {@code hf-kgw}, {@code synthid-ref}, vLLM's {@code vllm-*}) are refused
     * here, before anything is trained; radioactivity of vLLM-served text is tested by
     * {@code hallmark radioactivity --scheme vllm-...} and the service.
     */
    static String labScheme(String spec) {
        Scheme s = Scheme.parse(spec);
        if (s.keyKind() != Scheme.KeyKind.HALLMARK) {
            throw new IllegalArgumentException("scheme " + s + " is verified with a third party's key ("
                    + s.keyKind().name().toLowerCase(java.util.Locale.ROOT) + "), but the lab serves each account "
                    + "with its own derived Hallmark key: use kgw, gumbel or synthid (radioactivity of vLLM-served "
                    + "text: hallmark radioactivity --scheme vllm-...)");
        }
        return s.toString();
    }

    /**
     * One teacher corpus: completions of the first {@code prompts} harvest prompts.
     *
     * @param name corpus name (cache file name)
     * @param scheme the watermark scheme spec, or {@code none} for unwatermarked output
     * @param prompts how many harvest prompts (default: teacher.prompts)
     * @param shares fractions of the prompts served to harvesting accounts 1, 2, ... (summing
     *     to 1); ignored for unwatermarked corpora
     */
    public record Corpus(String name, String scheme, Integer prompts, List<Double> shares) {
        public Corpus {
            if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("corpora[].name must be letters, digits, '.', '_' or '-', got '"
                        + name + "'");
            }
            scheme = scheme == null ? "none" : scheme;
            if (!scheme.equals("none")) {
                try {
                    scheme = labScheme(scheme);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("corpus '" + name + "': " + e.getMessage(), e);
                }
            }
            if (prompts != null && prompts < 1) {
                throw new IllegalArgumentException("corpus '" + name + "': prompts must be >= 1");
            }
            shares = shares == null || scheme.equals("none") ? List.of(1.0) : List.copyOf(shares);
            double sum = 0;
            for (double s : shares) {
                if (!(s > 0)) {
                    throw new IllegalArgumentException("corpus '" + name + "': shares must be positive, got " + shares);
                }
                sum += s;
            }
            if (Math.abs(sum - 1) > 1e-9) {
                throw new IllegalArgumentException("corpus '" + name + "': shares must sum to 1, got " + shares);
            }
        }

        public String schemeOrNull() {
            return scheme.equals("none") ? null : scheme;
        }

        public int prompts(Teacher t) {
            return prompts != null ? prompts : t.prompts();
        }
    }

    /**
     * Human (unwatermarked) text mixed into students' training data.
     *
     * @param path JSONL with a "text" field (the corpus training split by default)
     * @param maxTokens at most this many tokens are tokenized and used
     */
    public record Human(String path, Long maxTokens) {
        public Human {
            path = path == null ? "datasets/corpus/train.jsonl.gz" : path;
            maxTokens = maxTokens == null ? 3_000_000L : maxTokens;
            if (maxTokens < 1) {
                throw new IllegalArgumentException("human.max_tokens must be >= 1");
            }
        }
    }

    /**
     * Testing students.
     *
     * @param prompts JSONL of fresh prompts ("prompt" field): never used in the harvest
     * @param tokensPerPrompt completion length of students' outputs
     * @param budgets suspect tokens read at which the tests are evaluated (ascending); the
     *     student generates up to the largest
     * @param excludePrompt what of a record's prompt is excluded from scoring its completion:
     *     {@code contexts} (positions whose context occurs in the prompt, as {@code hallmark
     *     radioactivity} does), {@code tuples} (positions whose whole (context, token) tuple occurs
     *     in the prompt: exactly the copies) or {@code none}
     * @param filters scoring variants, each reported separately: {@code off}; {@code served-all}
     *     or {@code served-top-N} (the served-data filter: contexts among the N most frequent of the
     *     watermarked text the lab served); {@code repeated-M} (tuples the suspect corpus itself
     *     produces at least M times); or {@code served-...+repeated-M}. All are key-independent.
     * @param calibrationKeys never-deployed keys scoring each run's final suspect corpus
     */
    public record Suspect(String prompts, Integer tokensPerPrompt, List<Long> budgets, String excludePrompt,
            List<String> filters, Integer calibrationKeys) {
        public Suspect {
            prompts = prompts == null ? "datasets/prompts/prompts.jsonl.gz" : prompts;
            tokensPerPrompt = tokensPerPrompt == null ? 200 : tokensPerPrompt;
            budgets = budgets == null ? List.of(100_000L) : List.copyOf(budgets);
            checkBudgets(budgets, "suspect.budgets");
            excludePrompt = excludePrompt == null ? "contexts" : excludePrompt.toLowerCase(Locale.ROOT);
            SuspectTester.PromptExclusion.parse(excludePrompt);
            filters = filters == null ? List.of("off", "served-all") : List.copyOf(filters);
            checkFilters(filters, "suspect.filters");
            calibrationKeys = calibrationKeys == null ? 0 : calibrationKeys;
            if (tokensPerPrompt < 1 || calibrationKeys < 0) {
                throw new IllegalArgumentException("suspect.tokens_per_prompt must be >= 1, calibration_keys >= 0");
            }
        }
    }

    /**
     * A student run: for each rho and seed, mix, train, generate, test.
     *
     * @param name run name
     * @param student {@code ngram} or {@code neural}
     * @param corpus the teacher corpus harvested
     * @param scheme the scheme the lab tests with (default: the corpus's; required for an
     *     unwatermarked corpus, whose runs are negative controls)
     * @param harvesters k: the first k harvesting accounts of the corpus, equal token shares
     * @param rho fractions of the student's training tokens that are watermarked teacher output
     * @param trainTokens student training tokens (capped so that rho * tokens fits the harvest)
     * @param seeds repetitions (student seeds)
     * @param budgets overrides suspect.budgets
     * @param freshMasters score each seed with a fresh never-deployed master key (null trials)
     * @param order n-gram order (ngram students)
     * @param neural the neural student's shape and training (neural students)
     * @param filters overrides suspect.filters
     * @param calibrationKeys overrides suspect.calibration_keys
     * @param excludePrompt overrides suspect.exclude_prompt
     * @param seedFrom derive the students' seeds from this name instead of the run's own, so that
     *     two runs train and sample identical students (e.g. to compare prompt exclusions)
     */
    public record Run(String name, String student, String corpus, String scheme, Integer harvesters, List<Double> rho,
            Long trainTokens, Integer seeds, List<Long> budgets, Boolean freshMasters, Integer order, Neural neural,
            List<String> filters, Integer calibrationKeys, String excludePrompt, String seedFrom) {
        public Run {
            if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("runs[].name must be letters, digits, '.', '_' or '-', got '" + name + "'");
            }
            student = student == null ? "ngram" : student.toLowerCase(Locale.ROOT);
            if (!student.equals("ngram") && !student.equals("neural")) {
                throw new IllegalArgumentException("run '" + name + "': student must be ngram or neural, got '" + student + "'");
            }
            if (corpus == null) {
                throw new IllegalArgumentException("run '" + name + "': corpus is required");
            }
            if (scheme != null) {
                try {
                    scheme = labScheme(scheme);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("run '" + name + "': " + e.getMessage(), e);
                }
            }
            harvesters = harvesters == null ? 1 : harvesters;
            if (harvesters < 1) {
                throw new IllegalArgumentException("run '" + name + "': harvesters must be >= 1");
            }
            rho = rho == null ? List.of(1.0) : List.copyOf(rho);
            for (double r : rho) {
                if (!(r >= 0 && r <= 1)) {
                    throw new IllegalArgumentException("run '" + name + "': rho must be in [0, 1], got " + r);
                }
            }
            trainTokens = trainTokens == null ? 1_000_000L : trainTokens;
            seeds = seeds == null ? 1 : seeds;
            if (trainTokens < 1 || seeds < 1) {
                throw new IllegalArgumentException("run '" + name + "': train_tokens and seeds must be >= 1");
            }
            if (budgets != null) {
                budgets = List.copyOf(budgets);
                checkBudgets(budgets, "run '" + name + "' budgets");
            }
            freshMasters = freshMasters != null && freshMasters;
            order = order == null ? 2 : order;
            if (order < 1 || order > 3) {
                throw new IllegalArgumentException("run '" + name + "': order must be 1, 2 or 3, got " + order);
            }
            if (student.equals("neural")) {
                neural = neural == null ? new Neural(null, null, null, null, null, null, null, null, null, null, null) : neural;
            }
            if (filters != null) {
                filters = List.copyOf(filters);
                checkFilters(filters, "run '" + name + "' filters");
            }
            if (calibrationKeys != null && calibrationKeys < 0) {
                throw new IllegalArgumentException("run '" + name + "': calibration_keys must be >= 0");
            }
            if (excludePrompt != null) {
                excludePrompt = excludePrompt.toLowerCase(Locale.ROOT);
                SuspectTester.PromptExclusion.parse(excludePrompt);
            }
        }

        /** The name students' seeds derive from. */
        public String seedName() {
            return seedFrom != null ? seedFrom : name;
        }

        public String excludePrompt(Suspect s) {
            return excludePrompt != null ? excludePrompt : s.excludePrompt();
        }

        public int calibrationKeys(Suspect s) {
            return calibrationKeys != null ? calibrationKeys : s.calibrationKeys();
        }

        public List<Long> budgets(Suspect s) {
            return budgets != null ? budgets : s.budgets();
        }

        public List<String> filters(Suspect s) {
            return filters != null ? filters : s.filters();
        }
    }

    /**
     * The neural student (a {@code TransformerLm} trained with {@code LmTrainer}).
     *
     * @param dModel width
     * @param layers blocks
     * @param heads attention heads
     * @param ff feed-forward width
     * @param context training window and longest context
     * @param outputSize ids in the output layer (most frequent of its training data)
     * @param steps optimizer steps
     * @param batch windows per step
     * @param lr peak learning rate
     * @param temperature sampling temperature of its outputs
     * @param topP top-p of its outputs
     */
    public record Neural(Integer dModel, Integer layers, Integer heads, Integer ff, Integer context, Integer outputSize,
            Integer steps, Integer batch, Double lr, Double temperature, Double topP) {
        public Neural {
            dModel = dModel == null ? 128 : dModel;
            layers = layers == null ? 2 : layers;
            heads = heads == null ? 4 : heads;
            ff = ff == null ? 512 : ff;
            context = context == null ? 64 : context;
            outputSize = outputSize == null ? 4096 : outputSize;
            steps = steps == null ? 600 : steps;
            batch = batch == null ? 16 : batch;
            lr = lr == null ? 2e-3 : lr;
            temperature = temperature == null ? 1.0 : temperature;
            topP = topP == null ? 0.95 : topP;
        }
    }

    private static void checkFilters(List<String> filters, String what) {
        if (filters.isEmpty() || new HashSet<>(filters).size() != filters.size()) {
            throw new IllegalArgumentException(what + ": at least one filter, no duplicates, got " + filters);
        }
        for (String f : filters) {
            try {
                SuspectTester.FilterSpec.parse(f);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
            }
        }
    }

    private static void checkBudgets(List<Long> budgets, String what) {
        if (budgets.isEmpty()) {
            throw new IllegalArgumentException(what + ": at least one budget is needed");
        }
        for (int i = 0; i < budgets.size(); i++) {
            if (budgets.get(i) < 1 || (i > 0 && budgets.get(i) <= budgets.get(i - 1))) {
                throw new IllegalArgumentException(what + " must be positive and ascending, got " + budgets);
            }
        }
    }

    static ObjectMapper mapper(boolean yaml) {
        ObjectMapper om = yaml ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper();
        om.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        om.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        om.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        return om;
    }

    /** Reads a YAML ({@code .yaml}/{@code .yml}) or JSON config file. */
    public static DistillConfig read(Path file) throws IOException {
        String fn = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = fn.endsWith(".yaml") || fn.endsWith(".yml");
        if (!yaml && !fn.endsWith(".json")) {
            throw new IllegalArgumentException("config " + file + ": use a .yaml, .yml or .json file");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("config " + file + ": no such file");
        }
        return parse(text, yaml, file.toString());
    }

    /** Parses config text; errors name the source and the offending key. */
    public static DistillConfig parse(String text, boolean yaml, String source) {
        try {
            return mapper(yaml).readValue(text, DistillConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("config " + source + ": unknown key '" + e.getPropertyName()
                    + "' (known: " + e.getKnownPropertyIds() + ")", e);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("config " + source + ": " + c.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config " + source + ": " + e.getOriginalMessage(), e);
        }
    }

    /** The resolved configuration (every default filled in) as JSON. */
    public JsonNode toJson() {
        return mapper(false).valueToTree(this);
    }
}
