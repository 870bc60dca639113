package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.service.store.ScanStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A scan report as one self-contained HTML page with inline SVG charts: no scripts, no external
 * resources (it is served with {@code default-src 'none'}). Every string from the report is escaped.
 */
public final class ReportHtml {

    private static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"};

    private ReportHtml() {}

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String fmtP(JsonNode log10p) {
        if (log10p == null || log10p.isNull()) {
            return "&lt; 1e-308";
        }
        double lp = log10p.asDouble();
        if (lp > -4) {
            return String.format(Locale.ROOT, "%.2g", Math.pow(10, lp));
        }
        double e = Math.floor(lp);
        return String.format(Locale.ROOT, "%.2g&times;10<sup>%d</sup>", Math.pow(10, lp - e), (long) e);
    }

    /** The report {@code r} (as {@link ScanReports#view} returns it) as an HTML page. */
    public static String render(JsonNode r) {
        StringBuilder h = new StringBuilder(16_384);
        String verdict = r.path("verdict").asText();
        boolean wm = "watermarked".equals(verdict);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Hallmark report: ")
                .append(esc(r.path("name").asText())).append("</title><style>")
                .append("body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}")
                .append("h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}")
                .append(".v{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600;color:#fff}")
                .append(".wm{background:#b3261e}.no{background:#2e7d32}")
                .append("table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}")
                .append("th{background:#f4f4f4}.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#666}")
                .append("code{font-size:12px}svg{background:#fafafa;border:1px solid #eee}")
                .append("</style></head><body>");
        h.append("<h1>Hallmark scan report: ").append(esc(r.path("name").asText())).append("</h1>");
        h.append("<p class=\"muted\">scan <code>").append(esc(r.path("scan_id").asText())).append("</code> · type ")
                .append(esc(r.path("scan_type").asText())).append(" · Hallmark ")
                .append(esc(r.path("versions").path("hallmark").asText())).append(" · tokenizer ")
                .append(esc(r.path("versions").path("tokenizer").asText())).append("</p>");
        boolean radio = ScanStore.TYPE_RADIOACTIVITY.equals(r.path("scan_type").asText());
        h.append("<p><span id=\"verdict\" class=\"v ").append(wm ? "wm" : "no").append("\">")
                .append(radio ? (wm ? "Radioactive: the suspect outputs carry the watermark" : "Not radioactive")
                        : wm ? "Watermark detected" : "No watermark detected").append("</span> at false-positive rate ")
                .append(esc(r.path("alpha").asText())).append(" (family-wise, Holm over ")
                .append(r.path("keys").size()).append(" key").append(r.path("keys").size() == 1 ? "" : "s").append(")");
        if (r.path("quantized").asBoolean()) {
            h.append(" <span class=\"muted\">· analyst view: p-values as conservative buckets, no score sums or "
                    + "statistics</span>");
        }
        h.append("</p>");
        if (radio) {
            radioactivity(h, r);
            return h.toString();
        }
        JsonNode d = r.path("documents");
        h.append("<p>").append(d.path("total").asLong()).append(" documents (").append(d.path("tested").asLong())
                .append(" tested, ").append(d.path("too_short").asLong()).append(" shorter than ")
                .append(d.path("min_tokens").asLong()).append(" tokens), ").append(r.path("tokens").path("seen").asLong())
                .append(" tokens, ").append(d.path("flagged").asLong()).append(" documents flagged individually. Took ")
                .append(String.format(Locale.ROOT, "%.1f s (%.0f tokens/s)", r.path("timing").path("seconds").asDouble(),
                        r.path("timing").path("tokens_per_second").asDouble()))
                .append(".</p>");

        h.append("<h2>Corpus-level test per key</h2>");
        h.append("<p class=\"muted\">Each distinct (context, token) tuple of the whole corpus is scored once; "
                + "bars show &minus;log<sub>10</sub> of the Holm-adjusted p-value, the line the threshold.</p>");
        h.append(keyChart(r));
        h.append("<table><tr><th>key</th><th>scheme</th><th class=num>tokens scored</th><th class=num>skipped "
                + "(context / repeated / budget)</th><th class=num>statistic</th><th class=num>p (adjusted)</th>"
                + "<th class=num>docs flagged</th><th>verdict</th></tr>");
        for (JsonNode k : r.path("keys")) {
            JsonNode sk = k.path("skipped");
            h.append("<tr><td><code>").append(esc(k.path("key_id").asText(k.path("scheme").asText()))).append("</code><br><span class=muted>")
                    .append(esc(k.path("label").asText())).append("</span></td><td><code>")
                    .append(esc(k.path("scheme").asText())).append("</code></td><td class=num>")
                    .append(k.path("tokens_scored").asLong()).append("</td><td class=num>")
                    .append(sk.isMissingNode() ? "&mdash;" : sk.path("context").asLong() + " / " + sk.path("repeated").asLong()
                            + " / " + sk.path("filtered").asLong()).append("</td><td class=num>")
                    .append(statistic(k)).append("</td><td class=num>")
                    .append(pText(k)).append("</td><td class=num>")
                    .append(k.path("documents_flagged").asLong()).append("</td><td>")
                    .append(k.path("watermarked").asBoolean() ? "<b>watermarked</b>" : "not detected").append("</td></tr>");
        }
        h.append("</table>");

        h.append("<h2>Per-document p-values</h2><p class=\"muted\">Histogram of each document's unadjusted p-value "
                + "per key. For text that does not carry the key it is flat; watermarked documents pile up at the left.</p>");
        h.append(histogram(r));

        h.append("<h2>Top documents</h2><table><tr><th class=num>id / #</th><th class=num>line</th><th class=num>tokens</th>"
                + "<th>best key</th><th class=num>p (adjusted over keys)</th><th>preview</th></tr>");
        for (JsonNode t : r.path("top_documents")) {
            h.append("<tr><td class=num>").append(t.has("doc_id") ? esc(t.path("doc_id").asText())
                    : String.valueOf(t.path("index").asLong())).append("</td><td class=num>")
                    .append(t.path("line").asLong()).append("</td><td class=num>").append(t.path("tokens").asLong())
                    .append("</td><td><code>").append(esc(t.path("key_id").asText())).append("</code></td><td class=num>")
                    .append(t.path("watermarked").asBoolean() ? "<b>" + pText(t) + "</b>" : pText(t))
                    .append("</td><td>").append(esc(t.path("preview").asText())).append("</td></tr>");
        }
        h.append("</table>");
        h.append("<h2>Skipped tokens</h2><ul>");
        r.path("skipped_reasons").fields().forEachRemaining(e -> h.append("<li><b>").append(esc(e.getKey()))
                .append("</b>: ").append(esc(e.getValue().asText())).append("</li>"));
        h.append("</ul><p class=\"muted\">Started ").append(esc(r.path("timing").path("started_at").asText()))
                .append(", finished ").append(esc(r.path("timing").path("finished_at").asText())).append(".</p>");
        h.append("</body></html>\n");
        return h.toString();
    }

    /** The statistic, or a dash where the caller may not see it (analysts). */
    private static String statistic(JsonNode k) {
        JsonNode st = k.get("statistic");
        return st == null || !st.isNumber() ? "&mdash;" : String.format(Locale.ROOT, "%.4g", st.asDouble());
    }

    /** The p-value: exact, or an analyst's bucket ("p &le; 1e-6"). */
    private static String pText(JsonNode k) {
        return k.has("p_bucket") ? esc(k.path("p_bucket").asText()) : fmtP(k.get("log10_p"));
    }

    /** The body of a radioactivity report: corpus-level tests only. */
    private static void radioactivity(StringBuilder h, JsonNode r) {
        h.append("<p>Radioactivity test (Sander et al. 2024) over ").append(r.path("documents").asLong())
                .append(" suspect documents, ").append(r.path("tokens").path("seen").asLong()).append(" tokens. ");
        JsonNode sd = r.path("served_data");
        if (sd.isObject()) {
            h.append("Served-data filter: only contexts ").append(sd.path("top").asInt() > 0 ? "among the "
                    + sd.path("top").asInt() + " most frequent " : "").append("in the corpus of scan <code>")
                    .append(esc(sd.path("scan_id").asText())).append("</code> (").append(esc(sd.path("name").asText()))
                    .append("; ").append(sd.path("documents").asLong()).append(" documents, ")
                    .append(sd.path("tokens").asLong()).append(" tokens").append(sd.path("truncated").asBoolean()
                            ? ", truncated at " + sd.path("max_tokens").asLong() + " tokens" : "").append(") are scored. ");
        } else {
            h.append("No served-data filter. ");
        }
        h.append(r.path("prompt_exclusion").path("documents_with_prompt").asLong())
                .append(" documents carried a prompt whose contexts were excluded. Took ")
                .append(String.format(Locale.ROOT, "%.1f s.", r.path("timing").path("seconds").asDouble())).append("</p>");
        h.append("<h2>Corpus-level test per key</h2>");
        h.append("<p class=\"muted\">Each distinct (context, token) tuple of the whole suspect corpus is scored once; "
                + "bars show &minus;log<sub>10</sub> of the (Holm-adjusted) p-value, the line the threshold.</p>");
        h.append(keyChart(r));
        h.append("<table><tr><th>key</th><th>scheme</th><th class=num>tuples scored</th><th class=num>skipped "
                + "(repeated / served filter / prompt / budget)</th><th class=num>statistic</th><th class=num>p</th>"
                + "<th>verdict</th></tr>");
        for (JsonNode k : r.path("keys")) {
            h.append("<tr><td><code>").append(esc(k.path("key_id").asText(k.path("scheme").asText())))
                    .append("</code><br><span class=muted>").append(esc(k.path("label").asText())).append("</span></td><td><code>")
                    .append(esc(k.path("scheme").asText())).append("</code></td><td class=num>")
                    .append(k.path("tokens_scored").asLong()).append("</td><td class=num>")
                    .append(k.has("skipped") ? String.valueOf(k.path("skipped").path("repeated").asLong()) : "&mdash;")
                    .append(" / ")
                    .append(k.path("skipped_served_filter").asLong()).append(" / ")
                    .append(k.path("skipped_prompt").asLong()).append(" / ")
                    .append(k.path("skipped_budget").asLong()).append("</td><td class=num>")
                    .append(statistic(k)).append("</td><td class=num>")
                    .append(pText(k)).append("</td><td>")
                    .append(k.path("watermarked").asBoolean() ? "<b>radioactive</b>" : "not detected").append("</td></tr>");
        }
        h.append("</table><h2>Skipped tokens</h2><ul>");
        r.path("skipped_reasons").fields().forEachRemaining(e -> h.append("<li><b>").append(esc(e.getKey()))
                .append("</b>: ").append(esc(e.getValue().asText())).append("</li>"));
        h.append("</ul><p class=\"muted\">Started ").append(esc(r.path("timing").path("started_at").asText()))
                .append(", finished ").append(esc(r.path("timing").path("finished_at").asText())).append(".</p>");
        h.append("</body></html>\n");
    }

    private static String keyChart(JsonNode r) {
        List<JsonNode> ks = new ArrayList<>();
        r.path("keys").forEach(ks::add);
        int w = 900;
        int rowH = 26;
        int left = 200;
        int hgt = 30 + rowH * Math.max(1, ks.size());
        double thr = -Math.log10(r.path("alpha").asDouble(1e-3));
        double max = thr * 1.5;
        for (JsonNode k : ks) {
            max = Math.max(max, neglog(k.get("log10_p")));
        }
        double scale = (w - left - 80) / max;
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"key-chart\" width=\"").append(w).append("\" height=\"").append(hgt)
                .append("\" role=\"img\" aria-label=\"corpus-level -log10 p per key\">");
        for (int i = 0; i < ks.size(); i++) {
            JsonNode k = ks.get(i);
            double v = neglog(k.get("log10_p"));
            int y = 10 + i * rowH;
            s.append("<text x=\"4\" y=\"").append(y + 16).append("\" font-size=\"12\">").append(esc(k.path("key_id").asText(k.path("label").asText())))
                    .append("</text><rect x=\"").append(left).append("\" y=\"").append(y + 3).append("\" width=\"")
                    .append(String.format(Locale.ROOT, "%.1f", Math.max(1, v * scale))).append("\" height=\"18\" fill=\"")
                    .append(k.path("watermarked").asBoolean() ? "#b3261e" : "#7a9cc6").append("\"/><text x=\"")
                    .append(String.format(Locale.ROOT, "%.1f", left + Math.max(1, v * scale) + 4)).append("\" y=\"")
                    .append(y + 16).append("\" font-size=\"11\">")
                    .append(k.get("log10_p") == null || k.get("log10_p").isNull() ? "&gt; 308" : String.format(Locale.ROOT, "%.3g", v))
                    .append("</text>");
        }
        double tx = left + thr * scale;
        s.append("<line x1=\"").append(String.format(Locale.ROOT, "%.1f", tx)).append("\" y1=\"4\" x2=\"")
                .append(String.format(Locale.ROOT, "%.1f", tx)).append("\" y2=\"").append(hgt - 4)
                .append("\" stroke=\"#333\" stroke-dasharray=\"4 3\"/><text x=\"")
                .append(String.format(Locale.ROOT, "%.1f", tx + 3)).append("\" y=\"").append(hgt - 6)
                .append("\" font-size=\"10\">alpha</text></svg>");
        return s.toString();
    }

    private static double neglog(JsonNode log10p) {
        return log10p == null || log10p.isNull() ? 308 : Math.max(0, -log10p.asDouble());
    }

    private static String histogram(JsonNode r) {
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
        int hgt = 240;
        int left = 40;
        int bottom = 30;
        double bw = (double) (w - left - 10) / bins;
        double sub = bw / Math.max(1, ids.size());
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"pvalue-histogram\" width=\"").append(w).append("\" height=\"").append(hgt)
                .append("\" role=\"img\" aria-label=\"histogram of per-document p-values\">");
        for (int k = 0; k < ids.size(); k++) {
            JsonNode c = counts.get(ids.get(k));
            for (int b = 0; b < bins && b < c.size(); b++) {
                double v = c.get(b).asLong();
                double bh = (hgt - bottom - 10) * v / max;
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                        + "<title>%s: p in [%.2f, %.2f): %d</title></rect>", left + b * bw + k * sub, hgt - bottom - bh,
                        Math.max(1, sub - 1), bh, PALETTE[k % PALETTE.length], esc(ids.get(k)), (double) b / bins,
                        (double) (b + 1) / bins, (long) v));
            }
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", w - 230, 8 + 14 * k, PALETTE[k % PALETTE.length],
                    w - 215, 17 + 14 * k, esc(ids.get(k))));
        }
        for (int i = 0; i <= 4; i++) {
            double x = left + i * (w - left - 10) / 4.0;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%.2f</text>",
                    x, hgt - 12, i / 4.0));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"16\" font-size=\"11\">%d</text>", max));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">p-value</text>",
                w / 2, hgt - 1));
        s.append("</svg>");
        return s.toString();
    }
}
