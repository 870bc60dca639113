package dev.hallmark.tools;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A progress bar with elapsed time and ETA for long commands, written to a stream (stderr).
 *
 * <p>On a terminal the bar redraws one line in place ({@code \r}) at most every 200 ms; when the
 * stream is not a terminal (CI logs, redirected output) it prints a full line at most every 10
 * seconds, so logs stay short. The ETA is the elapsed time scaled by the remaining fraction of
 * work (work units are assumed to cost the same). {@link #step()} and {@link #advance(long)} are
 * thread-safe; drawing is serialised.
 *
 * <pre>{@code
 * try (Progress p = Progress.start("generate", total, System.err)) {
 *     for (...) { ...; p.step(); }
 * }
 * }</pre>
 */
public final class Progress implements AutoCloseable {

    private static final int WIDTH = 28;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean inPlace;
    private final long minIntervalNanos;
    private final LongSupplier clock;
    private final long startNanos;
    private final AtomicLong done = new AtomicLong();
    private long lastDraw;
    private boolean closed;
    private int lastLength;
    private long lastDrawn = -1;

    private Progress(String label, long total, PrintStream out, boolean inPlace, LongSupplier clock) {
        if (total < 0) {
            throw new IllegalArgumentException("progress total must be >= 0, got " + total);
        }
        this.label = Objects.requireNonNull(label, "label");
        this.total = total;
        this.out = out;
        this.inPlace = inPlace;
        this.minIntervalNanos = inPlace ? 200_000_000L : 10_000_000_000L;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.lastDraw = startNanos;
    }

    /**
     * Starts a bar for {@code total} units of work on {@code out} (redrawn in place when a console
     * is attached). A {@code null} stream gives a silent bar.
     */
    public static Progress start(String label, long total, PrintStream out) {
        return new Progress(label, total, out, System.console() != null, System::nanoTime);
    }

    /** A bar with an explicit clock and mode, for tests. */
    static Progress start(String label, long total, PrintStream out, boolean inPlace, LongSupplier clock) {
        return new Progress(label, total, out, inPlace, clock);
    }

    /** One unit done. */
    public void step() {
        advance(1);
    }

    /** {@code n} units done. */
    public void advance(long n) {
        long d = done.addAndGet(n);
        if (out == null) {
            return;
        }
        long now = clock.getAsLong();
        if (now - lastDraw >= minIntervalNanos || d == total) {
            synchronized (this) {
                if (!closed && (now - lastDraw >= minIntervalNanos || d == total)) {
                    lastDraw = now;
                    draw(d, now, false);
                }
            }
        }
    }

    /** Units done so far. */
    public long done() {
        return done.get();
    }

    /** The line the bar shows after {@code d} units at time {@code now}. */
    String render(long d, long now) {
        double elapsed = (now - startNanos) / 1e9;
        double frac = total == 0 ? 1.0 : Math.min(1.0, (double) d / total);
        int filled = (int) Math.round(frac * WIDTH);
        StringBuilder sb = new StringBuilder(96);
        sb.append(label).append(" [");
        for (int i = 0; i < WIDTH; i++) {
            sb.append(i < filled ? '#' : '.');
        }
        sb.append("] ").append(String.format(Locale.ROOT, "%3d%% %d/%d", (int) Math.floor(frac * 100), d, total));
        sb.append("  elapsed ").append(clockText(elapsed));
        if (d > 0 && d < total) {
            sb.append("  ETA ").append(clockText(elapsed * (total - d) / d));
        }
        return sb.toString();
    }

    /** h:mm:ss or m:ss. */
    static String clockText(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        long h = s / 3600;
        long m = s / 60 % 60;
        long sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    private void draw(long d, long now, boolean last) {
        String line = render(d, now);
        lastDrawn = d;
        if (inPlace) {
            int pad = Math.max(0, lastLength - line.length());
            out.print("\r" + line + " ".repeat(pad) + (last ? "\n" : ""));
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Draws the final state (once) and ends the line. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long d = done.get();
        if (out != null && (inPlace || d != lastDrawn)) {
            draw(d, clock.getAsLong(), true);
        }
    }
}
