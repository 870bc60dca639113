package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The service's layers stay layers: {@code store} knows nothing of scans, HTTP or Vert.x;
 * {@code scan} nothing of HTTP or Vert.x; neither reaches the wiring classes of the root package
 * (only {@code Problem} and {@code ServiceConfig}). And no main source file passes 600 lines.
 */
class LayeringTest {

    static final Path MAIN = TestSupport.repo().resolve("verifier-service/src/main/java/dev/hallmark/service");
    static final Pattern SERVICE_REF = Pattern.compile("dev\\.hallmark\\.service\\.(\\w+)");

    static List<Path> sources(String pkg) throws IOException {
        try (Stream<Path> s = Files.list(MAIN.resolve(pkg))) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** Every violation in {@code pkg}: a reference to a forbidden layer or root class, or to Vert.x. */
    static List<String> violations(String pkg, List<String> forbiddenLayers) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : sources(pkg)) {
            String src = Files.readString(f, StandardCharsets.UTF_8);
            if (src.contains("io.vertx")) {
                out.add(f.getFileName() + " uses Vert.x");
            }
            Matcher m = SERVICE_REF.matcher(src);
            while (m.find()) {
                String next = m.group(1);
                boolean layer = Character.isLowerCase(next.charAt(0));
                if (layer ? forbiddenLayers.contains(next) : !(next.equals("Problem") || next.equals("ServiceConfig"))) {
                    out.add(f.getFileName() + " refers to " + m.group());
                }
            }
        }
        return out;
    }

    @Test
    void storeAndScanStayBelowHttp() throws IOException {
        assertTrue(sources("store").size() > 5 && sources("scan").size() > 5, "the scan finds the sources in " + MAIN);
        assertEquals(List.of(), violations("store", List.of("scan", "http")));
        assertEquals(List.of(), violations("scan", List.of("http")));
    }

    @Test
    void noMainSourceFileOver600Lines() throws IOException {
        List<String> long_ = new ArrayList<>();
        try (Stream<Path> s = Files.walk(MAIN)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                long n = Files.readAllLines(f, StandardCharsets.UTF_8).size();
                if (n > 600) {
                    long_.add(MAIN.relativize(f) + ": " + n + " lines");
                }
            }
        }
        assertEquals(List.of(), long_);
    }
}
