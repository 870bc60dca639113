package dev.hallmark.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.LambdaBlock;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The bring-your-own-model adapter, on an in-memory DJL model whose "logits" prefer token
 * {@code (last input id + 1) mod V}; its vocabulary is padded to V' = 40 > V = 37 like many exports.
 */
class DjlCausalLmTest {

    @Test
    void drivesTheGenerationLoopThroughADjlPredictor() {
        try (Model m = Model.newInstance("toy", "PyTorch")) {
            m.setBlock(new LambdaBlock(in -> {
                NDArray ids = in.singletonOrThrow(); // (1, L)
                NDArray next = ids.add(1).toType(ai.djl.ndarray.types.DataType.INT64, false);
                // (1, L, 40): 5.0 at (id+1) mod 37, 0 elsewhere
                NDArray oh = next.mod(37).oneHot(40).mul(5f);
                return new NDList(oh);
            }));
            try (DjlCausalLm lm = DjlCausalLm.wrap(m, 37, 4, DjlCausalLm.Inputs.IDS_ONLY, "toy")) {
                Generator g = Generator.of(lm, Generator.Options.of(6, 3), null);
                List<Generator.Generation> out = g.generate(List.of(new int[] {30, 31}, new int[] {0}),
                        i -> new SoftmaxTestSampler(37, 0), i -> new SplittableRandom(i));
                assertArrayEquals(new int[] {32, 33, 34, 35, 36, 0}, out.get(0).completionIds());
                assertEquals(Generator.StopReason.MAX_TOKENS, out.get(0).stopReason());
                assertArrayEquals(new int[] {1, 2}, out.get(1).completionIds());
                assertEquals(Generator.StopReason.STOP_ID, out.get(1).stopReason());
            }
        }
    }

    @Test
    void missingModelFileNamesThePath() {
        Path p = Path.of("no-such-dir", "model.pt");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> DjlCausalLm.load(p, "PyTorch", 10, 8, DjlCausalLm.Inputs.IDS_ONLY));
        assertTrue(e.getMessage().contains("no-such-dir"), e.getMessage());
    }
}
