package dev.hallmark.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.embed.VllmGeneration;
import dev.hallmark.embed.VllmSampler;
import dev.hallmark.key.VllmKey;
import dev.hallmark.scheme.Scheme;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regenerates every golden candidate's token sequence with {@link VllmSampler}, token by token, from
 * the fixture's logits, and its trace counters: the harness of vLLM's {@code golden_candidates.py}
 * (argmax for every ordinary draw, the routing draw from a fixed list of uniforms).
 */
class VllmGoldensGenerationTest {

    static List<VllmGoldens.Candidate> candidates() {
        return VllmGoldens.load();
    }

    /** round(((i + 1) * (sqrt 5 - 1) / 2) % 1, 4) for i = 0..63, Python's round (half-even, exact binary). */
    static double[] routingUniforms() {
        double[] u = new double[64];
        double phi = (Math.sqrt(5) - 1) / 2;
        for (int i = 0; i < 64; i++) {
            double x = ((i + 1) * phi) % 1.0;
            u[i] = new BigDecimal(x).setScale(4, RoundingMode.HALF_EVEN).doubleValue();
        }
        return u;
    }

    @Test
    void routingUniformsAreTheHarnessConstants() {
        double[] u = routingUniforms();
        assertEquals(0.618, u[0]);
        assertEquals(0.2361, u[1]);
        assertEquals(0.8541, u[2]);
        assertEquals(0.305, u[27]);
        assertEquals(0.5542, u[63]);
    }

    /** The fixture's logits at one position: ((37 v + 17 p) mod M) - 56, dominant bias, / denominator in float32. */
    static float[] logits(JsonNode fixture, int position) {
        int vocab = fixture.get("vocabulary_size").asInt();
        int modulus = fixture.get("logit_modulus").asInt();
        int denominator = fixture.get("logit_denominator").asInt();
        JsonNode dom = fixture.get("dominant_token");
        float[] out = new float[vocab];
        for (int v = 0; v < vocab; v++) {
            long val = Math.floorMod(37L * v + 17L * position, (long) modulus) - 56;
            if (!dom.isNull() && v == dom.asInt()) {
                val += fixture.get("dominant_bias").asLong();
            }
            out[v] = (float) val / (float) denominator;
        }
        return out;
    }

    /** Returns the harness's uniforms in turn from nextDouble (the routing draw). */
    static final class FixedUniforms implements RandomGenerator {
        private final double[] u;
        private int next;

        FixedUniforms(double[] u) {
            this.u = u;
        }

        @Override
        public double nextDouble() {
            return u[next++ % u.length];
        }

        @Override
        public long nextLong() {
            throw new AssertionError("the golden harness draws nothing but routing uniforms");
        }
    }

    @ParameterizedTest
    @MethodSource("candidates")
    void regeneratesTokensAndTrace(VllmGoldens.Candidate c) {
        JsonNode fixture = c.fixture();
        int vocab = fixture.get("vocabulary_size").asInt();
        int tokens = fixture.get("num_tokens").asInt();
        VllmGeneration gen = new VllmGeneration(VllmGeneration.Scope.parse(c.generationScope()), c.maxHistory(), 2.0,
                true);
        VllmSampler sampler = VllmSampler.of(Scheme.parse(c.generationSpec()), VllmKey.parse(c.key()), gen, vocab);
        int[] prompt = c.prompt();
        int[] seq = Arrays.copyOf(prompt, prompt.length + tokens);
        FixedUniforms routing = new FixedUniforms(routingUniforms());
        for (int p = 0; p < tokens; p++) {
            seq[prompt.length + p] = sampler.next(logits(fixture, p), seq, 0, prompt.length + p, routing);
        }
        int[] got = Arrays.copyOfRange(seq, prompt.length, seq.length);
        assertArrayEquals(c.generation(), got, "generation");

        JsonNode trace = c.trace();
        assertEquals(trace.get("dedup_skips").asLong(), sampler.dedupSkips(), "dedup_skips");
        assertEquals(trace.get("partial_context_skips").asLong(), sampler.partialContextSkips(), "partial_context_skips");
        assertEquals(trace.get("routing_draws").asLong(), sampler.routingDraws(), "routing_draws");
        if (trace.get("key_b_routed").isNull()) {
            assertEquals(0, sampler.keyBRouted());
            assertTrue(!c.algorithm().equals("dual_key_gumbel") || c.generationAlpha() == 0
                    || c.generationAlpha() == 1);
        } else {
            assertEquals(trace.get("key_b_routed").asLong(), sampler.keyBRouted(), "key_b_routed");
            assertEquals(trace.get("key_b_effective").asLong(), sampler.keyBEffective(), "key_b_effective");
        }

        // a second request on the same sampler after reset() is identical
        sampler.reset();
        int[] again = Arrays.copyOf(prompt, prompt.length + tokens);
        routing = new FixedUniforms(routingUniforms());
        for (int p = 0; p < tokens; p++) {
            again[prompt.length + p] = sampler.next(logits(fixture, p), again, 0, prompt.length + p, routing);
        }
        assertArrayEquals(seq, again);
    }
}
