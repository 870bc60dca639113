package dev.hallmark.detect;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The Hallmark version of this build: one source for every jar (the {@code hallmark} CLI's
 * {@code --version}, the verifier service's {@code --version} and {@code /healthz}, and the
 * versions recorded in reports). It is the Maven project version, written into a resource of
 * hallmark-core at build time, so the CLI and the service built together always agree.
 */
public final class HallmarkVersion {

    private static final String RESOURCE = "hallmark-version.properties";
    private static final String VERSION = load();

    private HallmarkVersion() {}

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = HallmarkVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("hallmark-core resource " + RESOURCE + " is missing (broken build)");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            if (v == null || v.isBlank() || v.startsWith("${")) {
                throw new IllegalStateException("hallmark-core resource " + RESOURCE + " was not filled in by the build");
            }
            return v.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
