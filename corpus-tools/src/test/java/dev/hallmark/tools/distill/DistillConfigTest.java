package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillConfigTest {

    static final String MINIMAL = """
            corpora:
              - name: kgw
                scheme: kgw
            runs:
              - name: r
                corpus: kgw
            """;

    private static String error(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> DistillConfig.parse(yaml, true, "t.yaml"))
                .getMessage();
    }

    @Test
    void minimalYamlGetsDocumentedDefaults() {
        DistillConfig c = DistillConfig.parse(MINIMAL, true, "t.yaml");
        assertEquals("distill", c.name());
        assertEquals("datasets/build/distill/distill", c.work());
        assertEquals(24_000L, c.lab().accounts());
        assertEquals(List.of(31, 16, 2), c.lab().code());
        assertEquals(1e-3, c.lab().alpha());
        assertEquals("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", c.corpus("kgw").scheme(), "canonical spec");
        assertEquals(List.of(1.0), c.runs().get(0).rho());
        assertEquals("ngram", c.runs().get(0).student());
        assertEquals("datasets/models/default", c.teacher().model());
        assertEquals(0, c.teacher().ngramOrder());
        assertEquals(c.schemeOf(c.runs().get(0)), c.corpus("kgw").scheme());
        // the resolved config is printed with snake_case keys
        assertTrue(c.toJson().get("lab").has("master_seed"));
        assertEquals("contexts", c.toJson().get("suspect").get("exclude_prompt").asText());
    }

    @Test
    void jsonAndYamlFilesAreReadByExtension(@TempDir Path dir) throws IOException {
        Path y = dir.resolve("c.yml");
        Files.writeString(y, MINIMAL + "name: via-yaml\n");
        assertEquals("via-yaml", DistillConfig.read(y).name());
        Path j = dir.resolve("c.json");
        Files.writeString(j, "{\"name\":\"via-json\",\"corpora\":[{\"name\":\"g\",\"scheme\":\"gumbel:context=1\"}],"
                + "\"runs\":[{\"name\":\"r\",\"corpus\":\"g\",\"student\":\"neural\",\"rho\":[0.5]}]}");
        DistillConfig c = DistillConfig.read(j);
        assertEquals("via-json", c.name());
        assertEquals(128, c.runs().get(0).neural().dModel(), "neural defaults filled in");
        Path t = dir.resolve("c.txt");
        Files.writeString(t, MINIMAL);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.read(t)).getMessage()
                .contains("use a .yaml, .yml or .json file"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.read(dir.resolve("no.yaml")))
                .getMessage().contains("no such file"));
    }

    @Test
    void errorsNameTheProblem() {
        assertTrue(error(MINIMAL + "lab:\n  acounts: 5\n").contains("unknown key 'acounts'"));
        assertTrue(error(MINIMAL.replace("scheme: kgw", "scheme: kgw:gamma=2")).contains("gamma must be in (0, 1)"));
        assertTrue(error(MINIMAL.replace("corpus: kgw", "corpus: nope")).contains("unknown corpus 'nope'"));
        // the lab serves derived Hallmark keys: third parties' watermarks are refused before anything is trained
        String vllm = error(MINIMAL.replace("scheme: kgw", "scheme: vllm-gumbel:context=2"));
        assertTrue(vllm.contains("corpus 'kgw': scheme vllm-gumbel:context=2,dedup=true is verified with a third "
                + "party's key (vllm)") && vllm.contains("hallmark radioactivity --scheme vllm-"), vllm);
        assertTrue(error(MINIMAL + "lab:\n  code: [31, 16, 2]\n  accounts: 40000\n")
                .contains("lab.accounts must be in [1, 29791]"));
        assertTrue(error(MINIMAL + "lab:\n  coalition: 8\n").contains("separates coalitions of at most 7"));
        assertTrue(error(MINIMAL.replace("scheme: kgw", "scheme: kgw\n    shares: [0.5, 0.4]"))
                .contains("shares must sum to 1"));
        assertTrue(error(MINIMAL.replace("corpus: kgw", "corpus: kgw\n    rho: [1.5]")).contains("rho must be in [0, 1]"));
        assertTrue(error(MINIMAL.replace("corpus: kgw", "corpus: kgw\n    budgets: [100, 50]"))
                .contains("positive and ascending"));
        assertTrue(error(MINIMAL.replace("corpus: kgw", "corpus: kgw\n    harvesters: 2"))
                .contains("generated through 1 accounts"));
        assertTrue(error(MINIMAL.replace("corpus: kgw", "corpus: kgw\n    student: lstm"))
                .contains("student must be ngram or neural"));
        assertTrue(error("corpora:\n  - name: p\n    scheme: none\nruns:\n  - name: r\n    corpus: p\n")
                .contains("is unwatermarked; name the scheme"));
        assertTrue(error("runs:\n  - name: r\n    corpus: p\n").contains("at least one teacher corpus"));
        String plain = "lab:\n  harvesters: 2\ncorpora:\n  - name: p\n    scheme: none\nruns:\n  - name: r\n"
                + "    corpus: p\n    scheme: kgw\n    harvesters: %d\n";
        assertEquals(2, DistillConfig.parse(plain.formatted(2), true, "t").runs().get(0).harvesters(),
                "a control tests up to lab.harvesters accounts");
        assertTrue(error(plain.formatted(3)).contains("harvesters 3 but lab.harvesters is 2"));
    }

    @Test
    void ngramTeacherOrderIsParsedAndChecked() {
        assertEquals(2, DistillConfig.parse(MINIMAL + "teacher:\n  model: ngram:2\n", true, "t").teacher().ngramOrder());
        assertTrue(error(MINIMAL + "suspect:\n  exclude_prompt: all\n").contains("must be contexts, tuples or none"));
        assertTrue(error(MINIMAL + "teacher:\n  model: ngram:7\n").contains("teacher.model 'ngram:K' needs K in 1..3"));
    }
}
