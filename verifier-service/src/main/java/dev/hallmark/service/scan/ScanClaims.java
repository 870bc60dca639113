package dev.hallmark.service.scan;

import dev.hallmark.service.store.ScanStore;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How an instance takes its share of the scans in a store that several instances may share: one
 * dispatcher thread claims a scan ({@link ScanStore#claim}) whenever a scan slot is free (at once
 * when {@link #wakeUp} says a scan was queued here, else every {@value #POLL_MILLIS} ms, which is
 * how scans queued by other instances and scans of dead instances are found), and hands it to the
 * runner; a heartbeat renews the lease of every scan this instance is running, three times per
 * lease. An instance that dies stops renewing, its leases expire, and another instance's
 * dispatcher claims the scans again ({@link ScanStore.Claim#takeover()}).
 *
 * <p>A run whose lease was lost (this instance stalled past its lease and another took the scan
 * over) notices at its next progress write, which the store refuses, and stops; its report could
 * not be stored either ({@link ScanStore#finish} is refused too). So a scan's report is written by
 * exactly one run.
 */
final class ScanClaims implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScanClaims.class.getName());

    /** How often an idle instance looks for scans queued elsewhere or left by a dead instance. */
    static final long POLL_MILLIS = 1000;

    private final ScanStore scans;
    private final long leaseMillis;
    private final int slots;
    private final Executor workers;
    private final Consumer<ScanStore.Claim> run;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final AtomicInteger busy = new AtomicInteger();
    private final Object signal = new Object();
    private final ScheduledExecutorService heartbeat;
    private final Thread dispatcher;
    private boolean woken;
    private volatile boolean closed;
    private volatile long lastFailureLog;

    /**
     * @param leaseMillis how long a claim holds without renewal (another instance takes the scan over after it)
     * @param slots scans this instance runs at once
     * @param workers where claimed scans run
     * @param run the runner; it returns when the scan ended (done, failed, or stopped)
     */
    ScanClaims(ScanStore scans, long leaseMillis, int slots, Executor workers, Consumer<ScanStore.Claim> run) {
        this.scans = scans;
        this.leaseMillis = leaseMillis;
        this.slots = slots;
        this.workers = workers;
        this.run = run;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hallmark-scan-lease");
            t.setDaemon(true);
            return t;
        });
        this.dispatcher = new Thread(this::dispatch, "hallmark-scan-claims");
        dispatcher.setDaemon(true);
    }

    /** Starts claiming (at once: scans waiting in the store are taken right away) and renewing. */
    void start() {
        long every = Math.max(50, leaseMillis / 3);
        heartbeat.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        dispatcher.start();
    }

    /** A scan was queued: look now rather than at the next poll. */
    void wakeUp() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /** The scans this instance runs now. */
    Set<String> held() {
        return Set.copyOf(held);
    }

    private void dispatch() {
        while (!closed) {
            ScanStore.Claim c = null;
            if (busy.get() < slots) {
                try {
                    c = scans.claim(leaseMillis);
                } catch (RuntimeException e) {
                    logFailure("cannot claim scans", e); // the database is away: try again at the next poll
                }
            }
            if (c != null) {
                hand(c);
                continue;
            }
            synchronized (signal) {
                if (!woken && !closed) {
                    try {
                        signal.wait(POLL_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    private void hand(ScanStore.Claim c) {
        String id = c.scan().id();
        held.add(id);
        busy.incrementAndGet();
        try {
            workers.execute(() -> {
                try {
                    run.accept(c);
                } finally {
                    held.remove(id);
                    busy.decrementAndGet();
                    wakeUp();
                }
            });
        } catch (RuntimeException e) {
            // the pool is shutting down: the lease expires (or is released) and the scan runs later
            held.remove(id);
            busy.decrementAndGet();
        }
    }

    private void renew() {
        for (String id : held) {
            try {
                if (!scans.renew(id, leaseMillis)) {
                    LOG.warning("lost the lease of scan " + id + " (taken over by another instance, or deleted); "
                            + "its run here stops at its next progress update");
                }
            } catch (RuntimeException e) {
                logFailure("cannot renew the lease of scan " + id, e);
            }
        }
    }

    private void logFailure(String what, RuntimeException e) {
        long now = System.nanoTime();
        if (now - lastFailureLog > 30_000_000_000L || lastFailureLog == 0) {
            lastFailureLog = now;
            LOG.log(Level.WARNING, what + ": " + e.getMessage());
        }
    }

    /**
     * Stops claiming; the leases of the scans running here are still renewed (a drain: they save a
     * checkpoint and give their scan back first).
     */
    void stopClaiming() {
        closed = true;
        wakeUp();
        if (dispatcher.isAlive()) {
            try {
                dispatcher.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops claiming and renewing (the runner then releases or abandons what it held). */
    @Override
    public void close() {
        stopClaiming();
        heartbeat.shutdownNow();
    }
}
