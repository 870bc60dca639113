package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.service.store.ScanStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * First start and --demo seeding: token files 0600, idempotent, the published demo key, and a
 * demo scan (of the committed LM-generated corpus, datasets/demo) that finds the watermarked
 * completions and not the unwatermarked or human documents.
 */
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

            Bootstrap.Demo d = Bootstrap.seedDemo(s);
            assertTrue(d.created());
            assertEquals(DemoCorpus.key().id(), d.keyId());
            assertEquals("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", d.scheme());
            assertTrue(s.keys().get(d.keyId()).label().contains("PUBLIC demo key"), "labelled as the public demo key");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d.analystTokenFile())));
            assertFalse(s.tokens().authenticate(Files.readString(d.analystTokenFile()).trim()).isAdmin());
            List<String> summary = Bootstrap.demoSummary(s, d.scanId(), 60_000);
            ScanStore.Scan scan = s.scans().get(d.scanId());
            assertEquals(ScanStore.DONE, scan.state(), () -> String.valueOf(scan.error()));
            assertEquals("demo", scan.tenant());
            JsonNode r = s.disclosure().report(s.scans().report(d.scanId()), dev.hallmark.service.scan.Disclosure.Audience.ADMIN);
            assertEquals("watermarked", r.path("verdict").asText());
            assertEquals(DemoCorpus.WATERMARKED_DOCS + DemoCorpus.PLAIN_DOCS + DemoCorpus.HUMAN_DOCS,
                    r.path("documents").path("total").asInt());
            assertFalse(r.path("flagged_documents").path("truncated").asBoolean());
            int wm = 0;
            int other = 0;
            for (JsonNode f : r.path("flagged_documents").path("documents")) {
                if (f.path("doc_id").asText().startsWith(DemoCorpus.WATERMARKED_PREFIX)) {
                    wm++;
                } else {
                    other++;
                }
            }
            // power: ~150-token completions at delta 2 are found (a few stop early and are too short to tell)
            assertTrue(wm >= 18, "watermarked documents flagged: " + wm + " of " + DemoCorpus.WATERMARKED_DOCS);
            // null side: 40 documents no key made, per-document alpha 1e-3, so P(more than 1 flagged) < 1e-3
            assertTrue(other <= 1, "unwatermarked or human documents flagged: " + other);
            String expected = wm + " of " + DemoCorpus.WATERMARKED_DOCS + " watermarked";
            assertTrue(summary.stream().anyMatch(l -> l.contains(expected)),
                    () -> String.join("\n", summary));

            Bootstrap.Demo again = Bootstrap.seedDemo(s);
            assertFalse(again.created(), "seeded once");
            assertEquals(d.scanId(), again.scanId());
            assertEquals(1, s.keys().list().size());
        }
    }
}
