package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The SVG charts of the HTML report, with axis titles and tick labels; they scale to the page width. */
final class ReportCharts {

    static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"};

    private ReportCharts() {}

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Horizontal bars: -log10 of each key's Holm-adjusted corpus-level p-value, with the alpha threshold. */
    static String keys(JsonNode r) {
        List<JsonNode> ks = new ArrayList<>();
        r.path("keys").forEach(ks::add);
        int w = 900;
        int rowH = 26;
        int left = 210;
        int right = 60;
        int top = 10;
        int plotH = rowH * Math.max(1, ks.size());
        int hgt = top + plotH + 46;
        double thr = -Math.log10(r.path("alpha").asDouble(1e-3));
        double max = thr * 1.5;
        for (JsonNode k : ks) {
            max = Math.max(max, neglog(k.get("log10_p")));
        }
        double step = niceStep(max / 5);
        max = Math.ceil(max / step) * step;
        double scale = (w - left - right) / max;
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"key-chart\" viewBox=\"0 0 ").append(w).append(' ').append(hgt)
                .append("\" role=\"img\" aria-label=\"corpus-level -log10 p per key\">");
        for (double t = 0; t <= max + 1e-9; t += step) {
            double x = left + t * scale;
            s.append("<line x1=\"").append(f(x)).append("\" y1=\"").append(top).append("\" x2=\"").append(f(x))
                    .append("\" y2=\"").append(top + plotH).append("\" stroke=\"#e4e4e4\"/><text class=\"tick\" x=\"")
                    .append(f(x)).append("\" y=\"").append(top + plotH + 14).append("\" font-size=\"11\" text-anchor=\"middle\">")
                    .append(String.format(Locale.ROOT, step < 1 ? "%.1f" : "%.0f", t)).append("</text>");
        }
        for (int i = 0; i < ks.size(); i++) {
            JsonNode k = ks.get(i);
            double v = neglog(k.get("log10_p"));
            int y = top + i * rowH;
            double bw = Math.max(1, v * scale);
            s.append("<text x=\"4\" y=\"").append(y + 17).append("\" font-size=\"12\">")
                    .append(ReportHtml.esc(k.path("label").asText(k.path("key_id").asText())))
                    .append("</text><rect x=\"").append(left).append("\" y=\"").append(y + 4).append("\" width=\"")
                    .append(f(bw)).append("\" height=\"18\" fill=\"")
                    .append(k.path("watermarked").asBoolean() ? "#b3261e" : "#7a9cc6").append("\"><title>")
                    .append(ReportHtml.esc(k.path("key_id").asText(k.path("scheme").asText()))).append(": p = ")
                    .append(PValues.text(k.get("p_value"), k.get("log10_p"))).append("</title></rect><text x=\"")
                    .append(f(left + bw + 4)).append("\" y=\"").append(y + 17).append("\" font-size=\"11\">")
                    .append(k.get("log10_p") == null || k.get("log10_p").isNull() ? "&gt; 308" : String.format(Locale.ROOT, "%.3g", v))
                    .append("</text>");
        }
        double tx = left + thr * scale;
        s.append("<line x1=\"").append(f(tx)).append("\" y1=\"").append(top - 4).append("\" x2=\"").append(f(tx))
                .append("\" y2=\"").append(top + plotH + 2).append("\" stroke=\"#333\" stroke-dasharray=\"4 3\"/><text x=\"")
                .append(f(tx + 3)).append("\" y=\"").append(top + 8).append("\" font-size=\"10\">alpha</text>");
        s.append("<text class=\"axis-title\" x=\"").append(left + (w - left - right) / 2).append("\" y=\"").append(hgt - 6)
                .append("\" font-size=\"12\" text-anchor=\"middle\">&#8722;log10 p (Holm-adjusted over keys); "
                        + "right of the dashed line: detected</text></svg>");
        return s.toString();
    }

    /** Per-document unadjusted p-values, one bar series per key. */
    static String histogram(JsonNode r) {
        JsonNode counts = r.path("histogram").path("counts");
        int bins = r.path("histogram").path("bins").asInt(20);
        List<String> ids = new ArrayList<>();
        counts.fieldNames().forEachRemaining(ids::add);
        long max = 1;
        for (String id : ids) {
            for (JsonNode c : counts.get(id)) {
                max = Math.max(max, c.asLong());
            }
        }
        int w = 900;
        int hgt = 260;
        int left = 56;
        int bottom = 46;
        int top = 10;
        int plotW = w - left - 250;
        int plotH = hgt - bottom - top;
        double bw = (double) plotW / bins;
        double sub = bw / Math.max(1, ids.size());
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"pvalue-histogram\" viewBox=\"0 0 ").append(w).append(' ').append(hgt)
                .append("\" role=\"img\" aria-label=\"histogram of per-document p-values\">");
        long ystep = Math.max(1, (long) niceStep(max / 4.0));
        for (long t = 0; t <= max; t += ystep) {
            double y = top + plotH - (double) plotH * t / max;
            s.append("<line x1=\"").append(left).append("\" y1=\"").append(f(y)).append("\" x2=\"").append(left + plotW)
                    .append("\" y2=\"").append(f(y)).append("\" stroke=\"#e4e4e4\"/><text class=\"tick\" x=\"").append(left - 6)
                    .append("\" y=\"").append(f(y + 4)).append("\" font-size=\"11\" text-anchor=\"end\">").append(t).append("</text>");
        }
        for (int k = 0; k < ids.size(); k++) {
            JsonNode c = counts.get(ids.get(k));
            String color = PALETTE[k % PALETTE.length];
            for (int b = 0; b < bins && b < c.size(); b++) {
                double v = c.get(b).asLong();
                double bh = plotH * v / max;
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                        + "<title>%s: p in [%.2f, %.2f): %d</title></rect>", left + b * bw + k * sub, top + plotH - bh,
                        Math.max(1, sub - 1), bh, color, ReportHtml.esc(ids.get(k)), (double) b / bins,
                        (double) (b + 1) / bins, (long) v));
            }
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", left + plotW + 20, top + 4 + 16 * k, color,
                    left + plotW + 35, top + 13 + 16 * k, ReportHtml.esc(ids.get(k))));
        }
        for (int i = 0; i <= 4; i++) {
            double x = left + i * plotW / 4.0;
            s.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" font-size=\"11\" "
                    + "text-anchor=\"middle\">%.2f</text>", x, top + plotH + 14, i / 4.0));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", left,
                top + plotH, left + plotW, top + plotH));
        s.append(String.format(Locale.ROOT, "<text class=\"axis-title\" x=\"%d\" y=\"%d\" font-size=\"12\" "
                + "text-anchor=\"middle\">per-document p-value (unadjusted)</text>", left + plotW / 2, hgt - 8));
        s.append(String.format(Locale.ROOT, "<text class=\"axis-title\" transform=\"translate(14 %d) rotate(-90)\" "
                + "font-size=\"12\" text-anchor=\"middle\">documents</text>", top + plotH / 2));
        s.append("</svg>");
        return s.toString();
    }

    static double neglog(JsonNode log10p) {
        return log10p == null || log10p.isNull() ? 308 : Math.max(0, -log10p.asDouble());
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
