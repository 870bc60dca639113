package dev.hallmark.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.key.VllmKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.VllmKeyed;
import dev.hallmark.service.PgServer;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.TestSupport;
import dev.hallmark.service.TestSupport.Backend;
import dev.hallmark.service.VerifierServer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * vLLM keys in the store, on the embedded database and on PostgreSQL: sealed at rest like the
 * SynthID key sets (no schema change: the kind column says what the sealed bytes are), never on
 * disk in the clear in any form, and the same key after a restart.
 */
class VllmKeyStoreTest {

    static final String KEY = "15726070495360670683";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void vllmKeysAreSealedAtRestAndOpenToTheSameKeyAfterARestart(Backend backend) throws Exception {
        Path data = dir.resolve("data");
        ServiceConfig cfg = TestSupport.config(data, backend);
        VllmKey key = VllmKey.parse(KEY);
        String spec = "vllm-sbw:scheme=selfhash,context=4,gamma=0.5,dedup=true";
        try (TestSupport.Env env = new TestSupport.Env(data, cfg)) {
            KeyStore.Info i = env.server.keys().registerVllm(key, "vllm-sbw", "vLLM sbw at rest");
            assertEquals(key.id(), i.id());
            assertEquals(KeyStore.KIND_VLLM, i.kind());
            assertEquals(spec, i.scheme(), "stored canonical");
        }
        String disk;
        if (backend == Backend.H2) {
            disk = StoreTest.allBytes(data.resolve("db"));
        } else {
            PgServer.get().admin("CHECKPOINT");
            disk = StoreTest.allBytes(PgServer.get().dataDir());
        }
        assertTrue(StoreTest.contains(disk, key.id().getBytes(StandardCharsets.US_ASCII)), "the search works: ids are stored");
        assertFalse(StoreTest.contains(disk, KEY.getBytes(StandardCharsets.US_ASCII)), "the key's decimal is not on disk");
        assertFalse(StoreTest.contains(disk, ByteBuffer.allocate(8).putLong(key.secretBits()).array()), "nor its bytes");
        assertFalse(StoreTest.contains(disk, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(key.secretBits()).array()), "nor its little-endian bytes");

        int[] ids = new SplittableRandom(3).ints(200, 0, 5000).toArray();
        try (VerifierServer s = VerifierServer.start(cfg)) {
            KeyStore.Info i = s.keys().get(key.id());
            assertEquals(KeyStore.KIND_VLLM, i.kind());
            KeyedScheme k = s.keys().keyed(i);
            assertTrue(k instanceof VllmKeyed, k.getClass().toString());
            assertEquals(key.id(), k.keyId());
            DetectionResult stored = Detector.of(k).detect(ids, DetectOptions.defaults());
            DetectionResult direct = Detector.of(KeyedScheme.of(Scheme.parse(spec), key)).detect(ids,
                    DetectOptions.defaults());
            assertEquals(direct, stored, "the same key, bit for bit");
            // under another vllm-* spec, as a detection's 'scheme' asks
            KeyedScheme g = s.keys().keyed(i, Scheme.parse("vllm-gumbel:context=2"));
            assertEquals(Detector.of(KeyedScheme.of(Scheme.parse("vllm-gumbel:context=2"), key)).detect(ids,
                    DetectOptions.defaults()), Detector.of(g).detect(ids, DetectOptions.defaults()));
        }
    }
}
