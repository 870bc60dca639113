package dev.hallmark.tools.spark;

import dev.hallmark.tools.Hallmark;

/**
 * The {@code spark-submit} entry point of {@link SparkDetectCommand}:
 * {@code spark-submit --class dev.hallmark.tools.spark.SparkDetect hallmark.jar ARGS} runs
 * {@code hallmark spark-detect ARGS}.
 */
public final class SparkDetect {

    private SparkDetect() {
    }

    /** Runs {@code hallmark spark-detect} with {@code args}; exits only on failure. */
    public static void main(String[] args) {
        String[] full = new String[args.length + 1];
        full[0] = "spark-detect";
        System.arraycopy(args, 0, full, 1, args.length);
        int code = Hallmark.commandLine().execute(full);
        if (code != 0) {
            // only on failure: a System.exit(0) from the application class can make a cluster
            // manager report the run as failed
            System.exit(code);
        }
    }
}
