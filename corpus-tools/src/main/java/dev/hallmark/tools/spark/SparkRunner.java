package dev.hallmark.tools.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Session handling for {@link SparkDetectCommand}: reuses a running session (tests, notebooks), else
 * builds one from what spark-submit configured, else a local one; stops only what it started.
 * Local sessions get the settings a single machine wants: no web UI, driver on 127.0.0.1.
 */
final class SparkRunner {

    private SparkRunner() {}

    static ObjectNode run(JobSpec job, String master, List<String> conf) {
        boolean existing = SparkSession.getDefaultSession().isDefined();
        SparkSession spark = existing ? SparkSession.getDefaultSession().get() : build(master, conf);
        try {
            return SparkDetectJob.run(spark, job).toJson();
        } catch (RuntimeException e) {
            throw unwrap(e);
        } finally {
            if (!existing) {
                spark.stop();
            }
        }
    }

    private static SparkSession build(String master, List<String> conf) {
        SparkConf sc = new SparkConf(); // picks up the spark.* properties spark-submit sets
        SparkSession.Builder b = SparkSession.builder().appName("hallmark spark-detect");
        String m = master != null ? master : sc.get("spark.master", "local[*]");
        b.master(m);
        if (m.startsWith("local")) {
            setIfAbsent(b, sc, "spark.ui.enabled", "false");
            setIfAbsent(b, sc, "spark.driver.host", "127.0.0.1");
            setIfAbsent(b, sc, "spark.driver.bindAddress", "127.0.0.1");
        }
        for (String c : conf) {
            int eq = c.indexOf('=');
            b.config(c.substring(0, eq), c.substring(eq + 1));
        }
        return b.getOrCreate();
    }

    private static void setIfAbsent(SparkSession.Builder b, SparkConf sc, String key, String value) {
        if (!sc.contains(key)) {
            b.config(key, value);
        }
    }

    /**
     * A failed task reaches the driver wrapped in a SparkException ("Job aborted due to stage
     * failure: ..." with the executor's stack trace in the message); the user wants the message
     * of the cause that the job's own code threw.
     */
    static RuntimeException unwrap(RuntimeException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IllegalArgumentException || c instanceof IllegalStateException
                    || c instanceof UncheckedIOException) {
                return (RuntimeException) c;
            }
        }
        return e;
    }
}
