package dev.hallmark.tools.distill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.hallmark.attribution.AccountCode;
import dev.hallmark.scheme.Scheme;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The configuration of the HTTP distillation story ({@code hallmark distill --config} with
 * {@code story: http}): YAML or JSON, snake_case keys, unknown keys rejected, defaults for every
 * field but the students. See docs/experiments/distillation-http.md.
 */
public record HttpStoryConfig(String story, String name, Long seed, String work, Lab lab, Teacher teacher,
        Traffic traffic, DistillConfig.Human human, List<Student> students, Probe probe, Controls controls) {

    public HttpStoryConfig {
        if (!"http".equals(story)) {
            throw new IllegalArgumentException("story must be http, got '" + story + "'");
        }
        name = name == null ? "http" : name;
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        seed = seed == null ? 20261207L : seed;
        work = work == null ? "datasets/build/distill/" + name : work;
        lab = lab == null ? new Lab(null, null, null, null, null, null, null, null) : lab;
        teacher = teacher == null ? new Teacher(null, null) : teacher;
        traffic = traffic == null ? new Traffic(null, null, null, null, null, null) : traffic;
        human = human == null ? new DistillConfig.Human(null, null, null) : human;
        if (students == null || students.isEmpty()) {
            throw new IllegalArgumentException("students: at least one student is needed");
        }
        students = List.copyOf(students);
        probe = probe == null ? new Probe(null, null, null, null, null, null, null) : probe;
        controls = controls == null ? new Controls(null, null, null) : controls;
    }

    /** The lab: N accounts with coded keys, k harvesting accounts, innocent accounts. */
    public record Lab(Long masterSeed, Long accounts, List<Integer> code, Integer coalition, Double alpha,
            Integer harvesters, Integer innocents, String scheme) {
        public Lab {
            masterSeed = masterSeed == null ? 1L : masterSeed;
            accounts = accounts == null ? 2000L : accounts;
            code = code == null ? List.of(31, 16, 2) : List.copyOf(code);
            if (code.size() != 3) {
                throw new IllegalArgumentException("lab.code must be [q, length, degree], got " + code);
            }
            AccountCode c = new AccountCode(code.get(0), code.get(1), code.get(2));
            if (accounts < 1 || accounts > c.capacity()) {
                throw new IllegalArgumentException("lab.accounts must be in [1, " + c.capacity() + "], got " + accounts);
            }
            coalition = coalition == null ? 4 : coalition;
            c.threshold(coalition);
            alpha = alpha == null ? 1e-3 : alpha;
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("lab.alpha must be in (0, 1), got " + alpha);
            }
            harvesters = harvesters == null ? 2 : harvesters;
            innocents = innocents == null ? 300 : innocents;
            if (harvesters < 1 || innocents < 0 || harvesters + innocents > accounts) {
                throw new IllegalArgumentException("lab.harvesters >= 1, lab.innocents >= 0, and together at most "
                        + "lab.accounts");
            }
            scheme = Scheme.parse(scheme == null ? "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash" : scheme)
                    .toString();
        }

        AccountCode accountCode() {
            return new AccountCode(code.get(0), code.get(1), code.get(2));
        }
    }

    /** The teacher served by the lab: a model directory, or {@code ngram:K} of the human text. */
    public record Teacher(String model, Integer maxBatch) {
        public Teacher {
            model = model == null ? "datasets/models/default" : model;
            maxBatch = maxBatch == null ? 32 : maxBatch;
            new DistillConfig.Teacher(model, null, null, null, null, null, null, null); // validates ngram:K
        }
    }

    /** The accounts' requests to the teacher. */
    public record Traffic(Integer harvestPrompts, Integer innocentRequests, Integer maxTokens, Double temperature,
            Double topP, Integer concurrency) {
        public Traffic {
            harvestPrompts = harvestPrompts == null ? 600 : harvestPrompts;
            innocentRequests = innocentRequests == null ? 1 : innocentRequests;
            maxTokens = maxTokens == null ? 200 : maxTokens;
            temperature = temperature == null ? 1.0 : temperature;
            topP = topP == null ? 0.95 : topP;
            concurrency = concurrency == null ? 32 : concurrency;
            if (harvestPrompts < 1 || innocentRequests < 0 || maxTokens < 1 || concurrency < 1) {
                throw new IllegalArgumentException("traffic: harvest_prompts, max_tokens, concurrency >= 1; "
                        + "innocent_requests >= 0");
            }
        }
    }

    /** A student family. */
    public record Student(String name, String kind, Integer order, List<Double> rho, Long trainTokens,
            DistillConfig.Neural neural) {
        public Student {
            if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("students[].name must be letters, digits, '.', '_' or '-', got '"
                        + name + "'");
            }
            kind = kind == null ? "ngram" : kind.toLowerCase(Locale.ROOT);
            if (!kind.equals("ngram") && !kind.equals("neural")) {
                throw new IllegalArgumentException("student '" + name + "': kind must be ngram or neural");
            }
            order = order == null ? 2 : order;
            rho = rho == null ? List.of(1.0) : List.copyOf(rho);
            for (double r : rho) {
                if (!(r >= 0 && r <= 1)) {
                    throw new IllegalArgumentException("student '" + name + "': rho must be in [0, 1], got " + r);
                }
            }
            trainTokens = trainTokens == null ? 1_500_000L : trainTokens;
            if (kind.equals("neural") && neural == null) {
                neural = new DistillConfig.Neural(null, null, null, null, null, null, null, null, null, null, null);
            }
        }

        HttpStory.Student resolve() {
            return new HttpStory.Student(name, kind, order, rho, trainTokens, neural);
        }
    }

    /** The analyst's probes. */
    public record Probe(String prompts, Integer maxTokens, Double topP, List<Long> budgets, Integer concurrency,
            List<String> filters, Integer calibrationMasters) {
        public Probe {
            prompts = prompts == null ? "datasets/prompts/prompts.jsonl.gz" : prompts;
            maxTokens = maxTokens == null ? 200 : maxTokens;
            topP = topP == null ? 0.95 : topP;
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("probe.top_p must be in (0, 1], got " + topP);
            }
            budgets = budgets == null ? List.of(10_000L, 30_000L) : List.copyOf(budgets);
            for (int i = 0; i < budgets.size(); i++) {
                if (budgets.get(i) < 1 || (i > 0 && budgets.get(i) <= budgets.get(i - 1))) {
                    throw new IllegalArgumentException("probe.budgets must be positive and ascending, got " + budgets);
                }
            }
            concurrency = concurrency == null ? 16 : concurrency;
            filters = filters == null ? List.of("off", "served-all") : List.copyOf(filters);
            for (String f : filters) {
                if (!f.equals("off") && !f.equals("served-all")) {
                    throw new IllegalArgumentException("probe.filters: off or served-all, got '" + f + "'");
                }
            }
            calibrationMasters = calibrationMasters == null ? 10 : calibrationMasters;
        }
    }

    /** The controls, trained like {@code student}. */
    public record Controls(Boolean unwatermarkedTeacher, Boolean innocentOnly, Student student) {
        public Controls {
            unwatermarkedTeacher = unwatermarkedTeacher == null || unwatermarkedTeacher;
            innocentOnly = innocentOnly == null || innocentOnly;
            student = student == null ? new Student("control", "ngram", 2, List.of(1.0), null, null) : student;
        }
    }

    /** Whether a config file is an HTTP story ({@code story: http} at the top). */
    static boolean isHttp(Path file) throws IOException {
        String fn = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = fn.endsWith(".yaml") || fn.endsWith(".yml");
        if (!Files.isRegularFile(file)) {
            return false;
        }
        JsonNode n;
        try {
            n = DistillConfig.mapper(yaml).readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            return false; // DistillConfig reports the syntax error
        }
        return n != null && "http".equals(n.path("story").asText());
    }

    static HttpStoryConfig read(Path file) throws IOException {
        String fn = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = fn.endsWith(".yaml") || fn.endsWith(".yml");
        try {
            return DistillConfig.mapper(yaml).readValue(Files.readString(file), HttpStoryConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("config " + file + ": unknown key '" + e.getPropertyName() + "' (known: "
                    + e.getKnownPropertyIds() + ")", e);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("config " + file + ": " + c.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config " + file + ": " + e.getOriginalMessage(), e);
        }
    }

    JsonNode toJson() {
        return DistillConfig.mapper(false).valueToTree(this);
    }
}
