package dev.hallmark.detect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The version every jar reports is the Maven project version of this build. */
class HallmarkVersionTest {

    @Test
    void isTheProjectVersionOfTheRootPom() throws Exception {
        String v = HallmarkVersion.get();
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+(-[A-Za-z0-9.]+)?"), v);
        Path pom = Path.of(System.getProperty("hallmark.repo", "../..")).resolve("pom.xml");
        String root = Files.readString(pom);
        // the parent pom's own version (the first <version> after its artifactId)
        String own = root.substring(root.indexOf("<artifactId>hallmark-parent</artifactId>"));
        own = own.substring(own.indexOf("<version>") + 9, own.indexOf("</version>"));
        assertTrue(v.equals(own.strip()), "HallmarkVersion " + v + " vs root pom " + own);
    }
}
