package dev.hallmark.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.PgServer;
import dev.hallmark.service.TestSupport.Backend;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every store implementation must do, run on the embedded H2 database and on PostgreSQL:
 * scan claims and leases (one holder at a time, takeover after expiry with the progress kept, the
 * old holder fenced off, release on a graceful stop, no double claim under concurrency), rate-limit
 * buckets and the analysts' daily use updated atomically, settings set once, transactions that keep
 * all or nothing, tokens and audit.
 * "Instances" here are scan stores with different lease owners over one database, as several
 * processes would be.
 */
class StoreContractTest {

    @TempDir
    Path dir;

    private final List<Store> open = new ArrayList<>();

    @AfterEach
    void closeStores() {
        open.forEach(Store::close);
    }

    Store store(Backend b) throws Exception {
        DatabaseConfig cfg = b == Backend.H2 ? DatabaseConfig.EMBEDDED : PgServer.get().newDatabase();
        Store s = Store.open(dir.resolve("data"), cfg, new SecureRandom(), "test-a/1");
        open.add(s);
        return s;
    }

    /** A second instance's view of the same scans (its own lease owner). */
    static ScanStore other(Store s, String owner) {
        return new SqlScanStore(((SqlStore) s).database(), owner);
    }

    static ScanStore.Scan scan(String id, Instant created) {
        return new ScanStore.Scan(id, ScanStore.TYPE_WATERMARK, "alpha", "tok_x", "scan " + id, ScanStore.QUEUED, "jsonl",
                "none", "text", null, 1e-3, null, "scans/" + id + "/upload", 10, created, null, null, 0, 0, 0, 0, null,
                null, null, null);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aScanIsLeasedToOneInstanceAndTakenOverWhenItsLeaseExpires(Backend b) throws Exception {
        Store s = store(b);
        ScanStore a = s.scans();
        ScanStore other = other(s, "test-b/2");
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        a.insert(scan("scan_1", t));
        a.insert(scan("scan_2", t.plusSeconds(1)));

        ScanStore.Claim c1 = a.claim(60_000);
        assertEquals("scan_1", c1.scan().id(), "oldest first");
        assertFalse(c1.takeover());
        assertEquals(ScanStore.RUNNING, c1.scan().state());
        assertEquals(1, c1.scan().attempts());
        ScanStore.Claim c2 = other.claim(60_000);
        assertEquals("scan_2", c2.scan().id(), "a leased scan is not claimed again");
        assertNull(other.claim(60_000), "nothing left");

        assertTrue(a.progress("scan_1", 5, 50, 500));
        assertFalse(other.progress("scan_1", 9, 90, 900), "only the lease holder records progress");
        assertFalse(other.finish("scan_1", "{}", "watermarked"), "or finishes");
        assertEquals(5, a.get("scan_1").documents());
        assertTrue(a.renew("scan_1", 60_000));
        assertFalse(other.renew("scan_1", 60_000));

        // the holder of scan_2 records progress, then stops renewing: a short lease, then it expires
        assertTrue(other.progress("scan_2", 7, 70, 700));
        assertTrue(other.renew("scan_2", 1000));
        assertNull(a.claim(60_000), "not before the lease expires");
        Thread.sleep(1300);
        ScanStore.Claim taken = a.claim(60_000);
        assertEquals("scan_2", taken.scan().id());
        assertTrue(taken.takeover(), "taken over from an expired lease");
        assertEquals(2, taken.scan().attempts());
        assertEquals(7, taken.scan().documents(), "the progress is kept: the runner resumes from the checkpoint, or resets it");
        assertFalse(other.progress("scan_2", 1, 1, 1), "the old holder is fenced off");
        assertFalse(other.finish("scan_2", "{\"stale\":true}", "watermarked"));
        assertFalse(other.renew("scan_2", 60_000));
        a.note("scan_2", "interrupted");
        assertTrue(a.finish("scan_2", "{\"ok\":true}", "no_watermark_detected"));
        assertEquals(ScanStore.DONE, a.get("scan_2").state());
        assertEquals("{\"ok\":true}", a.report("scan_2"));
        assertEquals("interrupted", a.get("scan_2").error());
        assertFalse(a.renew("scan_2", 60_000), "a finished scan holds no lease");

        // a graceful stop gives scan_1 back at once, its attempt not counted
        assertEquals(1, a.releaseAll("stopping"));
        assertEquals(ScanStore.QUEUED, a.get("scan_1").state());
        assertEquals(0, a.get("scan_1").attempts());
        ScanStore.Claim again = other.claim(60_000);
        assertEquals("scan_1", again.scan().id());
        assertFalse(again.takeover());
        assertEquals(1, again.scan().attempts());
        // a drained run gives back its one scan (release), only if it still holds the lease
        assertFalse(a.release("scan_1", "not mine"), "only the lease holder releases");
        assertTrue(other.release("scan_1", "paused while the service stopped"));
        assertEquals(ScanStore.QUEUED, a.get("scan_1").state());
        assertEquals(0, a.get("scan_1").attempts(), "a drain is not an attempt");
        assertEquals("paused while the service stopped", a.get("scan_1").error());
        assertFalse(other.release("scan_1", "again"), "a queued scan is not released twice");
        again = other.claim(60_000);
        assertEquals("scan_1", again.scan().id());
        assertEquals(1, again.scan().attempts());
        other.fail("scan_1", "x".repeat(3000));
        assertEquals(ScanStore.FAILED, a.get("scan_1").state());
        assertEquals(2000, a.get("scan_1").error().length());
        assertTrue(a.delete("scan_1"));
        assertNull(a.get("scan_1"));
        assertFalse(a.delete("scan_1"));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentClaimsNeverGetTheSameScan(Backend b) throws Exception {
        Store s = store(b);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        int n = 24;
        for (int i = 0; i < n; i++) {
            s.scans().insert(scan("scan_" + i, t.plusMillis(i)));
        }
        int instances = 4;
        ExecutorService pool = Executors.newFixedThreadPool(instances * 2);
        List<String> claimed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> fs = new ArrayList<>();
        for (int k = 0; k < instances * 2; k++) {
            ScanStore view = other(s, "inst-" + (k % instances) + "/" + k);
            fs.add(pool.submit(() -> {
                go.await();
                ScanStore.Claim c;
                while ((c = view.claim(60_000)) != null) {
                    claimed.add(c.scan().id());
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(n, claimed.size(), "every scan claimed once: " + claimed);
        assertEquals(n, new HashSet<>(claimed).size(), "and none twice");
        for (int i = 0; i < n; i++) {
            assertEquals(1, s.scans().get("scan_" + i).attempts());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void rateBucketsAreUpdatedAtomically(Backend b) throws Exception {
        Store s = store(b);
        RateBuckets buckets = s.rateBuckets();
        int burst = 50;
        AtomicInteger allowed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> fs = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            fs.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 10; i++) {
                    boolean ok = buckets.update("tok_shared", new RateBuckets.Bucket(burst, 0), x -> x.tokens() >= 1
                            ? new RateBuckets.Update<>(new RateBuckets.Bucket(x.tokens() - 1, x.atNanos()), true)
                            : new RateBuckets.Update<>(x, false));
                    if (ok) {
                        allowed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(burst, allowed.get(), "80 takes from a bucket of 50: exactly 50 succeed");
        double left = buckets.update("tok_shared", new RateBuckets.Bucket(burst, 0),
                x -> new RateBuckets.Update<>(x, x.tokens()));
        assertEquals(0.0, left);
        double other = buckets.update("tok_other", new RateBuckets.Bucket(7, 0), x -> new RateBuckets.Update<>(x, x.tokens()));
        assertEquals(7.0, other, "buckets are per key");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void dailyUseIsChargedAtomicallyPerSubjectAndDay(Backend b) throws Exception {
        Store s = store(b);
        UsageStore u = s.usage();
        java.time.LocalDate day = java.time.LocalDate.of(2026, 12, 7);
        assertEquals(new UsageStore.Totals(0, 0), u.get("token:a", day));
        u.update(List.of("token:a", "tenant:t"), day, x -> new UsageStore.Totals(3, 500));
        u.update(List.of("token:a", "tenant:t"), day, x -> new UsageStore.Totals(2, 100));
        u.update(List.of("token:a"), day.plusDays(1), x -> new UsageStore.Totals(1, 1));
        assertEquals(new UsageStore.Totals(5, 600), u.get("token:a", day));
        assertEquals(new UsageStore.Totals(5, 600), u.get("tenant:t", day));
        assertEquals(new UsageStore.Totals(1, 1), u.get("token:a", day.plusDays(1)), "per day");
        u.update(List.of("token:a"), day, x -> new UsageStore.Totals(0, -10_000));
        assertEquals(new UsageStore.Totals(5, 0), u.get("token:a", day), "a correction never goes below zero");
        // decide sees the subjects' totals in the order asked; a refusal adds nothing
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> u.update(List.of("tenant:t", "token:a"),
                day, x -> {
                    assertEquals(List.of(new UsageStore.Totals(5, 600), new UsageStore.Totals(5, 0)), x);
                    throw new IllegalStateException("over budget");
                }));
        assertEquals("over budget", e.getMessage());
        assertEquals(new UsageStore.Totals(5, 600), u.get("tenant:t", day));

        // instances racing for one budget of 50 documents: exactly 50 charges of one pass
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger charged = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            UsageStore view = new SqlUsageStore(((SqlStore) s).database());
            fs.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 10; i++) {
                    try {
                        view.update(List.of("token:race", "tenant:race"), day, x -> {
                            if (x.get(0).documents() + 1 > 50) {
                                throw new IllegalStateException("spent");
                            }
                            return new UsageStore.Totals(1, 10);
                        });
                        charged.incrementAndGet();
                    } catch (IllegalStateException spent) {
                        // the budget is spent
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(50, charged.get(), "80 charges against a budget of 50: exactly 50 pass");
        assertEquals(new UsageStore.Totals(50, 500), u.get("token:race", day));
        assertEquals(new UsageStore.Totals(50, 500), u.get("tenant:race", day));
    }

    static long[] sig(int seed) {
        long[] x = new long[32];
        for (int i = 0; i < x.length; i++) {
            x[i] = seed * 1_000_003L + i * 7919L - (long) seed * seed;
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void probeTextsAreNumberedPerTenantUnderItsLockAndBounded(Backend b) throws Exception {
        Store s = store(b);
        ProbeRecords p = s.probes();
        List<List<ProbeRecords.Text>> seen = new ArrayList<>();
        ProbeRecords.Text t1 = p.record("alpha", 0, sig(1), 100, (l, n) -> {
            seen.add(n);
            return ProbeRecords.NEW_CLUSTER;
        });
        assertEquals(1, t1.seq());
        assertEquals(1, t1.cluster(), "a new cluster is numbered as its first text");
        assertEquals(List.of(List.of()), seen);
        // another instance (since 0) sees text 1 and joins its cluster
        ProbeRecords.Text t2 = p.record("alpha", 0, sig(2), 100, (l, n) -> {
            assertEquals(1, n.size());
            assertEquals(1, n.get(0).seq());
            assertEquals(1, n.get(0).cluster());
            assertTrue(java.util.Arrays.equals(sig(1), n.get(0).signature()), "the signature round-trips");
            return 1;
        });
        assertEquals(2, t2.seq());
        assertEquals(1, t2.cluster());
        assertNull(p.record("alpha", 2, sig(3), 100, (l, n) -> {
            assertTrue(n.isEmpty(), "nothing after 2");
            return ProbeRecords.NOTHING;
        }), "recording nothing");
        assertEquals(1, p.record("beta", 0, sig(1), 100, (l, n) -> {
            assertTrue(n.isEmpty(), "tenants are apart");
            return ProbeRecords.NEW_CLUSTER;
        }).seq());
        assertThrows(IllegalArgumentException.class, () -> p.record("alpha", 2, sig(4), 100, (l, n) -> 7),
                "no cluster 7 yet");
        assertEquals(3, p.record("alpha", 2, sig(4), 100, (l, n) -> ProbeRecords.NEW_CLUSTER).seq(), "the refusal wrote nothing");

        // first answers: the first value recorded stands, whoever records later
        assertNull(p.firstAnswer("alpha", 1, "key_1"));
        assertEquals(-3.5, p.firstAnswer("alpha", 1, "key_1", -3.5));
        assertEquals(-3.5, p.firstAnswer("alpha", 1, "key_1", -9.0));
        assertEquals(-3.5, p.firstAnswer("alpha", 1, "key_1"));
        assertNull(p.firstAnswer("beta", 1, "key_1"), "per tenant");
        String longSpec = "kgw:" + "x".repeat(400);
        assertEquals(Double.NEGATIVE_INFINITY, p.firstAnswer("alpha", 1, longSpec, Double.NEGATIVE_INFINITY));
        assertEquals(Double.NEGATIVE_INFINITY, p.firstAnswer("alpha", 1, longSpec));
        assertNull(p.firstAnswer("alpha", 1, longSpec + "y"), "long test ids are told apart");

        // bounded: the newest `keep` texts of a tenant stay; clusters' answers go with their last text
        for (int i = 0; i < SqlProbeRecords.PRUNE_EVERY; i++) {
            p.record("gamma", 0, sig(i), 2, (l, n) -> ProbeRecords.NEW_CLUSTER);
            if (i == 0 || i == SqlProbeRecords.PRUNE_EVERY - 2) {
                p.firstAnswer("gamma", i + 1, "key_1", -i);
            }
        }
        List<Long> left = new ArrayList<>();
        p.record("gamma", 0, sig(0), 2, (l, n) -> {
            left.clear();
            n.forEach(t -> left.add(t.seq()));
            return ProbeRecords.NOTHING;
        });
        long last = SqlProbeRecords.PRUNE_EVERY;
        assertEquals(List.of(last - 1, last), left, "the newest two of " + last);
        assertNull(p.firstAnswer("gamma", 1, "key_1"), "cluster 1's answer went with its text");
        assertEquals(-(last - 2.0), p.firstAnswer("gamma", last - 1, "key_1"), "a live cluster's answer stays");

        // instances racing to record one tenant's texts: numbered 1..80 once each, every one seen by every later record
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Set<Long>>> fs = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            ProbeRecords view = new SqlProbeRecords(((SqlStore) s).database());
            int base = k * 100;
            fs.add(pool.submit(() -> {
                go.await();
                Set<Long> known = new HashSet<>();
                long since = 0;
                for (int i = 0; i < 10; i++) {
                    long from = since;
                    ProbeRecords.Text t = view.record("race", from, sig(base + i), 1000, (l, n) -> {
                        long expect = from;
                        for (ProbeRecords.Text x : n) {
                            assertEquals(++expect, x.seq(), "no text missed");
                            known.add(x.seq());
                        }
                        return ProbeRecords.NEW_CLUSTER;
                    });
                    assertTrue(known.add(t.seq()));
                    since = t.seq();
                }
                return known;
            }));
        }
        go.countDown();
        Set<Long> all = new HashSet<>();
        for (Future<Set<Long>> f : fs) {
            all.addAll(f.get(60, TimeUnit.SECONDS));
        }
        assertEquals(80, all.size());
        assertEquals(80L, Collections.max(all));

        // racing first answers of one cluster agree; racing hit counts add up
        CountDownLatch go2 = new CountDownLatch(1);
        List<Future<Double>> answers = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            ProbeRecords view = new SqlProbeRecords(((SqlStore) s).database());
            double mine = -k - 1.0;
            answers.add(pool.submit(() -> {
                go2.await();
                for (int i = 0; i < 10; i++) {
                    view.addHits("tok_probe", 1);
                }
                return view.firstAnswer("race", 5, "key_2", mine);
            }));
        }
        go2.countDown();
        Set<Double> agreed = new HashSet<>();
        for (Future<Double> f : answers) {
            agreed.add(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(1, agreed.size(), "every instance got the same first answer: " + agreed);
        assertEquals(80, p.hits("tok_probe"));
        assertEquals(0, p.hits("tok_other"));
        assertEquals(83, p.addHits("tok_probe", 3));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void twoProbeIndexesOnOneStoreAnswerNearDuplicatesAlike(Backend b) throws Exception {
        Store s = store(b);
        dev.hallmark.service.scan.ProbeIndex a = new dev.hallmark.service.scan.ProbeIndex(s.probes());
        dev.hallmark.service.scan.ProbeIndex other = new dev.hallmark.service.scan.ProbeIndex(
                new SqlProbeRecords(((SqlStore) s).database()));
        long[] text = sig(1);
        long[] near = text.clone();
        near[31] ^= 1; // 31 of 32 bins equal
        dev.hallmark.service.scan.ProbeIndex.Match first = a.record("alpha", text, true);
        assertFalse(first.nearDuplicate());
        assertEquals(-4.25, first.answer().putIfAbsent("key_1", -4.25));
        dev.hallmark.service.scan.ProbeIndex.Match again = other.record("alpha", near, true);
        assertTrue(again.nearDuplicate(), "the other instance knows the first text");
        assertEquals(first.answer().cluster(), again.answer().cluster());
        assertEquals(-4.25, again.answer().get("key_1"));
        assertEquals(-4.25, again.answer().putIfAbsent("key_1", -0.5), "the first answer stands");
        assertNull(again.answer().get("key_2"), "a test not asked then");
        assertFalse(other.record("beta", near, true).nearDuplicate(), "another tenant's texts are apart");
        // a scan's document: a near-duplicate is not recorded, a new text is
        assertTrue(a.record("alpha", near, false).nearDuplicate());
        assertFalse(a.record("alpha", sig(2), false).nearDuplicate());
        assertTrue(other.record("alpha", sig(2), false).nearDuplicate());
        // the audit's hit counts are the token's on every instance
        assertTrue(a.hit("tok_1", 1), "the 1st");
        assertFalse(other.hit("tok_1", 8));
        assertTrue(other.hit("tok_1", 1), "the 10th, counted on two instances");
        assertEquals(10, a.hits("tok_1"));
        // a restart (a new index on the same store) forgets nothing
        dev.hallmark.service.scan.ProbeIndex restarted = new dev.hallmark.service.scan.ProbeIndex(s.probes());
        assertTrue(restarted.record("alpha", text, true).nearDuplicate());
        assertEquals(-4.25, restarted.record("alpha", near, true).answer().get("key_1"));
        // the store goes back (a backup from before these texts restored): the caches start over
        ((SqlStore) s).database().with(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("DELETE FROM probe_texts");
                st.execute("DELETE FROM probe_answers");
                st.execute("UPDATE probe_tenants SET last_seq = 0");
            }
            return null;
        });
        dev.hallmark.service.scan.ProbeIndex.Match fresh = a.record("alpha", sig(9), true);
        assertFalse(fresh.nearDuplicate());
        assertEquals(1, fresh.answer().cluster());
        assertNull(fresh.answer().get("key_1"), "not the old cluster 1's cached answer");
        assertFalse(a.record("alpha", text, true).nearDuplicate(), "the old texts went with the store's");
        assertTrue(other.record("alpha", sig(9), true).nearDuplicate(), "the other instance starts over too");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSettingIsSetOnceEvenWhenInstancesRace(Backend b) throws Exception {
        Store s = store(b);
        assertNull(s.settings().get("x"));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> fs = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            String v = "v" + k;
            fs.add(pool.submit(() -> {
                go.await();
                return s.settings().putIfAbsent("x", v);
            }));
        }
        go.countDown();
        int won = 0;
        for (Future<Boolean> f : fs) {
            won += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, won);
        assertNotNull(s.settings().get("x"));
        s.settings().put("x", "replaced");
        assertEquals("replaced", s.settings().get("x"));
        assertFalse(s.settings().putIfAbsent("x", "again"));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aTransactionKeepsAllOrNothing(Backend b) throws Exception {
        Store s = store(b);
        int tokens = s.tokens().count();
        int audit = s.audit().latest(1000).size();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.atomically(() -> {
            s.tokens().create("alpha", ApiTokens.Role.ANALYST, "doomed");
            s.audit().append(null, "alpha", "token.create", "tok_doomed", null);
            s.settings().put("doomed", "yes");
            throw new IllegalStateException("fails after three writes");
        }));
        assertEquals("fails after three writes", e.getMessage());
        assertEquals(tokens, s.tokens().count(), "no token");
        assertEquals(audit, s.audit().latest(1000).size(), "no audit entry");
        assertNull(s.settings().get("doomed"));

        ApiTokens.Created c = s.atomically(() -> {
            ApiTokens.Created x = s.tokens().create("alpha", ApiTokens.Role.ANALYST, "kept");
            s.audit().append(x.principal().tokenId(), "alpha", "token.create", x.principal().tokenId(), "kept");
            return x;
        });
        assertEquals("alpha", s.tokens().authenticate(c.token()).tenant());
        assertEquals("token.create", s.audit().latest(1).get(0).action());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void tokensAuthenticateByHashAndRevocationIsImmediate(Backend b) throws Exception {
        Store s = store(b);
        ApiTokens.Created c = s.tokens().create("beta", ApiTokens.Role.ADMIN, "t");
        // another instance on the same database sees the token and its revocation at once
        ApiTokens elsewhere = new ApiTokens(new SqlTokenRecords(((SqlStore) s).database()), new SecureRandom());
        assertTrue(elsewhere.authenticate(c.token()).isAdmin());
        assertNull(elsewhere.authenticate(c.token() + "x"));
        assertNull(elsewhere.authenticate(null));
        assertTrue(s.tokens().revoke(c.principal().tokenId()));
        assertNull(elsewhere.authenticate(c.token()), "revoked everywhere");
        assertTrue(s.tokens().revoke(c.principal().tokenId()), "revoking twice finds the token (no 404)");
        assertFalse(s.tokens().revoke("tok_none"));
        assertTrue(s.tokens().list().get(0).revokedAt() != null);
        Set<String> actions = new HashSet<>();
        s.audit().append("tok_1", "beta", "a.one", "t", "d".repeat(3000));
        s.audit().append(null, null, "a.two", null, null);
        List<AuditLog.Entry> latest = s.audit().latest(2);
        latest.forEach(x -> actions.add(x.action()));
        assertEquals(Set.of("a.one", "a.two"), actions);
        assertEquals("a.two", latest.get(0).action(), "newest first");
        assertEquals(AuditLog.MAX_DETAIL_CHARS, latest.get(1).detail().length());
    }

    /** Keys per tenant (schema 5): registered with a tenant or shared, moved, relabelled, listed per scope. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void keysBelongToATenantOrAreShared(Backend b) throws Exception {
        Store s = store(b);
        KeyStore k = s.keys();
        KeyStore.Info shared = k.register("kgw", "shared", null);
        KeyStore.Info alpha = k.register("kgw", "alpha's", null, "alpha");
        assertNull(k.get(shared.id()).tenant());
        assertEquals("alpha", k.get(alpha.id()).tenant());
        assertEquals(Set.of(shared.id(), alpha.id()), ids(k.list(KeyScope.of("alpha"))));
        assertEquals(Set.of(shared.id()), ids(k.list(KeyScope.of("beta"))));
        assertEquals(Set.of(shared.id(), alpha.id()), ids(k.list(KeyScope.ALL)));
        assertEquals("beta", k.setTenant(alpha.id(), "beta").tenant());
        assertEquals(Set.of(shared.id(), alpha.id()), ids(k.list(KeyScope.of("beta"))));
        assertNull(k.setTenant(alpha.id(), null).tenant(), "shared again");
        assertEquals("renamed", k.setLabel(alpha.id(), "renamed").label());
        assertNull(k.setTenant("hk-00000000000000000000", "beta"), "no such key");
        assertEquals(Set.of(shared.id(), alpha.id()), ids(k.family(KeyScope.of("gamma"), null, null).infos()));
        k.setTenant(alpha.id(), "alpha");
        assertEquals(Set.of(shared.id()), ids(k.family(KeyScope.of("gamma"), null, null).infos()));
    }

    static Set<String> ids(List<KeyStore.Info> keys) {
        Set<String> out = new HashSet<>();
        keys.forEach(i -> out.add(i.id()));
        return out;
    }
}
