package dev.hallmark.tools.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentConfigTest {

    @TempDir
    Path tmp;

    static ExperimentConfig yaml(String y) throws Exception {
        return ExperimentConfig.parse(new ObjectMapper(new YAMLFactory()).readTree(y));
    }

    static String error(String y) {
        return assertThrows(IllegalArgumentException.class, () -> yaml(y)).getMessage();
    }

    @Test
    void parsesYamlWithDefaultsAndCanonicalSchemes() throws Exception {
        ExperimentConfig c = yaml("""
                name: t
                seed: 42
                schemes: [kgw, "synthid:leaves=3"]
                lengths: [25, 50]
                attacks:
                  - {kind: typo, strengths: [0.1, 0.2]}
                """);
        assertEquals("t", c.name());
        assertEquals(42, c.seed());
        assertEquals(List.of("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", "synthid:context=4,layers=30,leaves=3"),
                c.schemes());
        assertEquals(List.of(1e-2, 1e-3, 1e-4), c.fprs());
        assertEquals("default", c.model());
        assertEquals(400, c.maxTokens());
        assertEquals(50, c.plotLength(), "the middle length by default");
        assertEquals(List.of(0.1, 0.2), c.attacks().get(0).strengths());
        // the effective config round-trips
        ExperimentConfig again = ExperimentConfig.parse(c.toJson());
        assertEquals(c, again);
    }

    @Test
    void jsonAndYamlFilesReadAlike() throws Exception {
        Path y = tmp.resolve("c.yaml");
        Path j = tmp.resolve("c.json");
        Files.writeString(y, "schemes: [gumbel]\nlengths: [10]\nmax_tokens: 20\nmodel: {kind: bigram, top: 50}\n");
        Files.writeString(j, "{\"schemes\": [\"gumbel\"], \"lengths\": [10], \"max_tokens\": 20, "
                + "\"model\": {\"kind\": \"bigram\", \"top\": 50}}");
        assertEquals(ExperimentConfig.read(y), ExperimentConfig.read(j));
    }

    @Test
    void errorsNameTheKeyAndTheProblem() {
        assertTrue(error("schemes: [kgw]\nlengths: [10]\nlenghts: [5]\n").contains("unknown key 'lenghts'"));
        assertTrue(error("schemes: [kgw:gamma=2]\nlengths: [10]\n").contains("schemes: "));
        assertTrue(error("schemes: [kgw]\nlengths: [50, 25]\n").contains("lengths: need ascending integers"));
        assertTrue(error("schemes: [kgw]\nlengths: [500]\n").contains("max_tokens=400"));
        assertTrue(error("schemes: [kgw]\nlengths: [10]\nattacks: [{kind: blur, strengths: [0.1]}]\n")
                .contains("attacks: unknown kind 'blur'"));
        assertTrue(error("schemes: [kgw]\nlengths: [10]\nattacks: [{kind: dilute, strengths: [1.0]}]\n")
                .contains("dilute strength out of range"));
        assertTrue(error("schemes: [kgw]\nlengths: [10, 20]\nplot_length: 15\n").contains("plot_length: 15 is not one of"));
        assertTrue(error("schemes: [kgw]\nlengths: [10]\nmodel: {kind: gpt9}\n").contains("model.kind"));
        assertTrue(error("schemes: [kgw]\nlengths: [10]\nsampling: {temperature: 0}\n").contains("temperature"));
        assertTrue(error("lengths: [10]\n").contains("schemes: expected a list"));
    }
}
