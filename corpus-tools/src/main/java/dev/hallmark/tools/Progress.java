package dev.hallmark.tools;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress line on stderr for long commands: count, rate and, when the total is known, a bar
 * and the ETA. Redraws at most every 200 ms; silent when stderr is not a terminal and
 * {@code HALLMARK_PROGRESS} is unset, except for one line every 10 s so logs show life.
 */
public final class Progress {

    private final String label;
    private final long total;
    private final PrintWriter err;
    private final long start = System.nanoTime();
    private final boolean tty = System.console() != null || System.getenv("HALLMARK_PROGRESS") != null;
    private long done;
    private long lastDraw;
    private String detail;

    /** @param total the number of steps, or -1 if unknown */
    public Progress(String label, long total, PrintWriter err) {
        this.label = label;
        this.total = total;
        this.err = err;
    }

    public synchronized void step(long n) {
        done += n;
        long now = System.nanoTime();
        long every = tty ? 200_000_000L : 10_000_000_000L;
        if (now - lastDraw >= every) {
            lastDraw = now;
            draw(now, false);
        }
    }

    /**
     * Shows the line now (e.g. {@code 0/20} before the first document), whatever the redraw
     * interval; with {@code detail} after the counts (null: none), until the next call.
     */
    public synchronized void show(String detail) {
        this.detail = detail;
        lastDraw = System.nanoTime();
        draw(lastDraw, false);
    }

    /** Sets the text shown after the counts (null: none) from the next redraw on. */
    public synchronized void detail(String detail) {
        this.detail = detail;
    }

    public synchronized void done() {
        draw(System.nanoTime(), true);
    }

    private void draw(long now, boolean last) {
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? done / secs : 0;
        StringBuilder sb = new StringBuilder();
        sb.append(label).append(": ");
        if (total > 0) {
            int width = 30;
            int filled = (int) Math.min(width, width * done / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ");
            sb.append(done).append('/').append(total);
            if (!last && rate > 0) {
                sb.append(String.format(Locale.ROOT, "  ETA %s", duration((total - done) / rate)));
            }
        } else {
            sb.append(done);
        }
        if (detail != null) {
            sb.append("  ").append(detail);
        }
        sb.append(String.format(Locale.ROOT, "  %.1f/s  %s", rate, duration(secs)));
        if (tty) {
            err.print("\r" + sb + (last ? "\n" : ""));
        } else {
            err.println(sb);
        }
        err.flush();
    }

    static String duration(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }
}
