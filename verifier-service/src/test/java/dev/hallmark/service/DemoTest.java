package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.scheme.KgwScheme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** First start and --demo seeding: token files 0600, idempotent, and a demo scan that finds its synthetic part. */
class DemoTest {

    @Test
    void firstStartAndDemoSeedOnce(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (VerifierServer s = VerifierServer.start(TestSupport.config(data))) {
            Bootstrap.Result first = Bootstrap.firstStart(s);
            Path admin = first.adminTokenFile();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(admin)));
            String token = Files.readString(admin).trim();
            assertTrue(s.tokens().authenticate(token).isAdmin());
            assertNull(Bootstrap.firstStart(s).adminTokenFile(), "no second admin token");

            SyntheticDemoCorpus corpus = new SyntheticDemoCorpus();
            assertTrue(corpus.synthetic() && corpus.description().contains("SYNTHETIC"), "labelled as synthetic");
            Bootstrap.Demo d = Bootstrap.seedDemo(s, corpus, KgwScheme.defaults());
            assertTrue(d.created());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d.analystTokenFile())));
            assertFalse(s.tokens().authenticate(Files.readString(d.analystTokenFile()).trim()).isAdmin());
            for (int i = 0; i < 1200 && !ScanStore.DONE.equals(s.scans().get(d.scanId()).state()); i++) {
                Thread.sleep(50);
            }
            ScanStore.Scan scan = s.scans().get(d.scanId());
            assertEquals(ScanStore.DONE, scan.state(), () -> String.valueOf(scan.error()));
            assertEquals("demo", scan.tenant());
            JsonNode r = VerifierServer.view(s.scans().report(d.scanId()), true);
            assertEquals("watermarked", r.path("verdict").asText());
            assertEquals(SyntheticDemoCorpus.HUMAN_DOCS + SyntheticDemoCorpus.SYNTHETIC_DOCS, r.path("documents").path("total").asInt());
            // every synthetic document is flagged; the 40 human ones may add false positives only at the nominal rate
            long flagged = r.path("documents").path("flagged").asLong();
            assertTrue(flagged >= SyntheticDemoCorpus.SYNTHETIC_DOCS && flagged <= SyntheticDemoCorpus.SYNTHETIC_DOCS + 2,
                    "flagged " + flagged);

            Bootstrap.Demo again = Bootstrap.seedDemo(s, corpus, KgwScheme.defaults());
            assertFalse(again.created(), "seeded once");
            assertEquals(d.scanId(), again.scanId());
            assertEquals(1, s.keys().list().size());
        }
    }
}
