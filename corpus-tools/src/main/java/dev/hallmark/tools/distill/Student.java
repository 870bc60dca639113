package dev.hallmark.tools.distill;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One student of a run: trained at watermarked fraction {@code rho}, repetition {@code seedIndex}.
 *
 * @param run the run it belongs to
 * @param rho the watermarked fraction of its training tokens
 * @param seedIndex which repetition (0-based)
 */
record Student(DistillConfig.Run run, double rho, int seedIndex) {

    /** Every student of the config, in run, rho, seed order. */
    static List<Student> all(DistillConfig cfg) {
        List<Student> out = new ArrayList<>();
        for (DistillConfig.Run r : cfg.runs()) {
            for (double rho : r.rho()) {
                for (int s = 0; s < r.seeds(); s++) {
                    out.add(new Student(r, rho, s));
                }
            }
        }
        return out;
    }

    /** Names this student in its run (fresh master keys, never-deployed keys derive from it). */
    String label() {
        return run.name() + "/rho=" + rho + "/seed=" + seedIndex;
    }

    /** Names its random draws (mix, weights, outputs): shared by runs with the same {@code seed_from}. */
    String seedLabel() {
        return run.seedName() + "/rho=" + rho + "/seed=" + seedIndex;
    }

    /** The harvesting accounts of its run: the first {@code harvesters} of the lab's. */
    long[] harvesters(DistillInputs in) {
        return Arrays.copyOf(in.harvesters(), run.harvesters());
    }
}
