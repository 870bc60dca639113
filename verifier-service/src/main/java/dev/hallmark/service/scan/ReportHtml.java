package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.service.store.ScanStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A scan report as one self-contained HTML page with inline SVG charts ({@link ReportCharts}): no
 * scripts, no external resources (it is served with {@code default-src 'none'}). Every string from
 * the report is escaped; p-values are shown as {@link PValues} rounds them (up, never overstating).
 * The first flagged documents are shown with their localised spans highlighted.
 */
public final class ReportHtml {

    /** Flagged documents shown with their text and spans (the page and the API list them all). */
    public static final int FLAGGED_SHOWN = 20;

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

    /** {@code n} and the noun, plural unless n is 1 ({@code 1 document}, {@code 2 documents}). */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** The report {@code r} (as {@link Disclosure#report} returns it for the caller) as an HTML page. */
    public static String render(JsonNode r) {
        return render(r, List.of());
    }

    /**
     * The report with {@code flagged}, the first flagged documents with their text and spans (as
     * {@link ScanDocuments} returns them for the caller), shown highlighted.
     */
    public static String render(JsonNode r, List<ObjectNode> flagged) {
        StringBuilder h = new StringBuilder(32_768);
        String verdict = r.path("verdict").asText();
        boolean wm = "watermarked".equals(verdict);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Hallmark report: ")
                .append(esc(r.path("name").asText())).append("</title><style>")
                .append("body{font:14px/1.45 system-ui,sans-serif;margin:16px;color:#222;max-width:1000px}")
                .append("h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}")
                .append(".v{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600;color:#fff}")
                .append(".wm{background:#b3261e}.no{background:#2e7d32}")
                .append(".scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}")
                .append("td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}")
                .append("th{background:#f4f4f4}.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#666}")
                .append("code{font-size:12px;word-break:break-all}svg{background:#fafafa;border:1px solid #eee;width:100%;height:auto}")
                .append(".doc{white-space:pre-wrap;border:1px solid #ddd;padding:8px;background:#fff;max-height:24em;overflow:auto}")
                .append("mark.span{background:#ffd8a8;border-bottom:2px solid #d9480f}")
                .append("</style></head><body>");
        h.append("<h1>Hallmark scan report: ").append(esc(r.path("name").asText())).append("</h1>");
        h.append("<p class=\"muted\">scan <code>").append(esc(r.path("scan_id").asText())).append("</code> · type ")
                .append(esc(r.path("scan_type").asText())).append(" · Hallmark ")
                .append(esc(r.path("versions").path("hallmark").asText())).append(" · tokenizer ")
                .append(esc(r.path("versions").path("tokenizer").asText())).append("</p>");
        input(h, r);
        boolean radio = ScanStore.TYPE_RADIOACTIVITY.equals(r.path("scan_type").asText());
        int nk = r.path("keys").size();
        h.append("<p><span id=\"verdict\" class=\"v ").append(wm ? "wm" : "no").append("\">")
                .append(radio ? (wm ? "Radioactive: the suspect outputs carry the watermark" : "Not radioactive")
                        : wm ? "Watermark detected" : "No watermark detected").append("</span> at false-positive rate ")
                .append(esc(r.path("alpha").asText())).append(nk > 1 ? " (family-wise, Holm over " + count(nk, "key") + ")"
                        : " (" + count(nk, "key") + ")");
        if (r.path("quantized").asBoolean()) {
            h.append(" <span class=\"muted\">· analyst view: p-values as conservative buckets, no score sums or "
                    + "statistics</span>");
        }
        h.append("</p>");
        if (radio) {
            radioactivity(h, r);
            return h.append("</body></html>\n").toString();
        }
        JsonNode d = r.path("documents");
        h.append("<p id=\"summary\">").append(count(d.path("total").asLong(), "document")).append(" (")
                .append(d.path("tested").asLong()).append(" tested, ").append(d.path("too_short").asLong())
                .append(" shorter than ").append(count(d.path("min_tokens").asLong(), "token")).append("), ")
                .append(count(r.path("tokens").path("seen").asLong(), "token")).append("; <b>")
                .append(d.path("flagged").asLong()).append(" flagged</b> on their own at the false-positive rate. Took ")
                .append(String.format(Locale.ROOT, "%.1f s (%.0f tokens/s)", r.path("timing").path("seconds").asDouble(),
                        r.path("timing").path("tokens_per_second").asDouble()))
                .append(".</p>");

        h.append("<h2>Corpus-level test per key</h2>");
        h.append("<p class=\"muted\">Each distinct (context, token) tuple of the whole corpus is scored once; bars show "
                + "&minus;log<sub>10</sub> of the Holm-adjusted p-value, the dashed line the threshold.</p>");
        h.append(ReportCharts.keys(r));
        h.append("<div class=\"scroll\"><table id=\"keys\"><tr><th>key</th><th>scheme</th><th class=num>tokens scored</th>"
                + "<th class=num>skipped (context / repeated / budget)</th><th class=num>statistic</th>"
                + "<th class=num>p (unadjusted)</th><th class=num>p (Holm-adjusted)</th><th class=num>documents flagged</th>"
                + "<th>verdict</th></tr>");
        for (JsonNode k : r.path("keys")) {
            JsonNode sk = k.path("skipped");
            h.append("<tr><td><code>").append(esc(k.path("key_id").asText(k.path("scheme").asText())))
                    .append("</code><br><span class=muted>").append(esc(k.path("label").asText())).append("</span></td><td><code>")
                    .append(esc(k.path("scheme").asText())).append("</code></td><td class=num>")
                    .append(k.path("tokens_scored").asLong()).append("</td><td class=num>")
                    .append(sk.isMissingNode() ? "&mdash;" : sk.path("context").asLong() + " / " + sk.path("repeated").asLong()
                            + " / " + sk.path("filtered").asLong()).append("</td><td class=num>")
                    .append(statistic(k)).append("</td><td class=num>")
                    .append(pCell(k, "p_value_unadjusted", "log10_p_unadjusted")).append("</td><td class=num>")
                    .append(pCell(k, "p_value", "log10_p")).append("</td><td class=num>")
                    .append(k.path("documents_flagged").asLong()).append("</td><td>")
                    .append(k.path("watermarked").asBoolean() ? "<b>watermarked</b>" : "not detected").append("</td></tr>");
        }
        h.append("</table></div>");

        h.append("<h2>Per-document p-values</h2><p class=\"muted\">Histogram of each document's unadjusted p-value "
                + "per key. For text that does not carry the key it is flat; watermarked documents pile up at the left.</p>");
        h.append(ReportCharts.histogram(r));

        h.append("<h2>Top documents</h2><div class=\"scroll\"><table id=\"top\"><tr><th class=num>id / #</th><th>where</th>"
                + "<th class=num>tokens</th><th>best key</th><th class=num>p (Holm-adjusted over keys)</th><th>preview</th></tr>");
        for (JsonNode t : r.path("top_documents")) {
            String p = pCell(t, "p_value", "log10_p");
            h.append("<tr><td class=num>").append(docId(t)).append("</td><td>").append(esc(where(t)))
                    .append("</td><td class=num>").append(t.path("tokens").asLong()).append("</td><td><code>")
                    .append(esc(t.path("key_id").asText())).append("</code></td><td class=num>")
                    .append(t.path("watermarked").asBoolean() ? "<b>" + p + "</b>" : p)
                    .append("</td><td>").append(esc(t.path("preview").asText())).append("</td></tr>");
        }
        h.append("</table></div>");
        flagged(h, r, flagged);
        skipped(h, r);
        return h.append("</body></html>\n").toString();
    }

    private static void input(StringBuilder h, JsonNode r) {
        JsonNode in = r.path("input");
        h.append("<p class=\"muted\" id=\"input\">input: ").append(esc(in.path("format").asText()));
        if (in.has("chat")) {
            h.append(" (").append(esc(in.path("chat").asText())).append(" chat, ").append(esc(in.path("turns").asText()))
                    .append(" assistant turns)");
        }
        if (in.has("field")) {
            h.append(", field <code>").append(esc(in.path("field").asText())).append("</code>");
        }
        h.append(", ").append(esc(in.path("compression").asText())).append(" compression, ")
                .append(count(in.path("bytes").asLong(), "byte"));
        JsonNode rec = r.path("records");
        if (rec.isObject()) {
            h.append("; ").append(count(rec.path("count").asLong(), "record"));
            JsonNode tb = rec.path("tokens_by_role");
            if (tb.isObject()) {
                List<String> parts = new ArrayList<>();
                rec.path("turns").fields().forEachRemaining(e -> {
                    if (e.getValue().asLong() > 0) {
                        parts.add(e.getKey() + " " + e.getValue().asLong() + " (" + tb.path(e.getKey()).asLong()
                                + " tokens tested)");
                    }
                });
                h.append("; turns by role: ").append(esc(String.join(", ", parts)));
            }
        }
        h.append("</p>");
    }

    /** The flagged documents: their count, and the first ones with their spans highlighted. */
    private static void flagged(StringBuilder h, JsonNode r, List<ObjectNode> docs) {
        long n = r.path("flagged_documents").path("count").asLong();
        h.append("<h2>Flagged documents</h2><p class=\"muted\">").append(count(n, "document"))
                .append(" flagged on their own (exact per-document test, Holm across keys). Highlighted: the spans where "
                        + "the watermark is localised, each with its own p-value (corrected for the windows searched and "
                        + "across keys).");
        long withheld = r.path("flagged_documents").path("withheld").asLong(0);
        if (withheld > 0) {
            h.append(" <span id=\"withheld\">").append(count(withheld, "flagged document"))
                    .append(withheld == 1 ? " is" : " are").append(" not listed to analyst tokens (near-duplicates of "
                            + "other documents or of earlier answers, shorter than the analyst minimum, or not in a "
                            + "p-value bucket at or below the report's alpha).</span>");
        }
        if (n - withheld > docs.size()) {
            h.append(" The first ").append(docs.size()).append(" are shown; the web page and <code>GET /v1/scans/")
                    .append(esc(r.path("scan_id").asText())).append("/documents?flagged=true</code> list all.");
        }
        h.append("</p>");
        for (ObjectNode d : docs) {
            h.append("<h3 class=\"flagged-doc\">").append(docId(d)).append(" · ").append(esc(where(d))).append(" · ")
                    .append(count(d.path("tokens").asLong(), "token")).append(" · ")
                    .append(d.has("p_bucket") ? "" : "p = ").append(pCell(d, "p_value", "log10_p")).append(" (key <code>")
                    .append(esc(d.path("key_id").asText())).append("</code>) · ")
                    .append(count(d.path("spans").size(), "span")).append("</h3>");
            h.append("<div class=\"doc\">").append(highlight(d)).append("</div>");
        }
    }

    /** The document's text with each span in a {@code <mark>} (overlapping spans of several keys merged). */
    static String highlight(JsonNode d) {
        String text = d.path("text").asText("");
        List<int[]> spans = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        for (JsonNode s : d.path("spans")) {
            if (s.has("start_char")) {
                int a = Math.max(0, Math.min(text.length(), s.path("start_char").asInt()));
                int b = Math.max(a, Math.min(text.length(), s.path("end_char").asInt()));
                spans.add(new int[] {a, b, titles.size()});
                titles.add(s.path("key_id").asText(s.path("scheme").asText()) + ": " + (s.has("p_bucket")
                        ? s.path("p_bucket").asText() : "p = " + PValues.text(s.get("p_value"), s.get("log10_p"))));
            }
        }
        spans.sort(Comparator.comparingInt(x -> x[0]));
        StringBuilder out = new StringBuilder();
        int pos = 0;
        for (int[] s : spans) {
            if (s[1] <= pos) {
                continue;
            }
            int a = Math.max(pos, s[0]);
            out.append(esc(text.substring(pos, a)));
            out.append("<mark class=\"span\" title=\"").append(esc(titles.get(s[2]))).append("\">")
                    .append(esc(text.substring(a, s[1]))).append("</mark>");
            pos = s[1];
        }
        out.append(esc(text.substring(pos)));
        if (d.path("text_truncated").asBoolean()) {
            out.append("<span class=\"muted\"> … (cut)</span>");
        }
        return out.toString();
    }

    static String docId(JsonNode t) {
        return t.has("doc_id") ? esc(t.path("doc_id").asText()) : "#" + t.path("index").asLong();
    }

    /** Where a document is: {@code line 12, turn 2}, or {@code row 7}. */
    static String where(JsonNode t) {
        String w = t.has("line") ? "line " + t.path("line").asLong() : "row " + t.path("record").asLong();
        return t.has("turn") ? w + ", turn " + (t.path("turn").asInt() + 1) : w;
    }

    private static void skipped(StringBuilder h, JsonNode r) {
        h.append("<h2>Skipped tokens</h2><ul>");
        r.path("skipped_reasons").fields().forEachRemaining(e -> h.append("<li><b>").append(esc(e.getKey()))
                .append("</b>: ").append(esc(e.getValue().asText())).append("</li>"));
        h.append("</ul><p class=\"muted\">Started ").append(esc(r.path("timing").path("started_at").asText()))
                .append(", finished ").append(esc(r.path("timing").path("finished_at").asText())).append(".</p>");
    }

    /** The statistic, or a dash where the caller may not see it (analysts). */
    private static String statistic(JsonNode k) {
        JsonNode st = k.get("statistic");
        return st == null || !st.isNumber() ? "&mdash;" : String.format(Locale.ROOT, "%.4g", st.asDouble());
    }

    /**
     * A p-value cell: the exact p-value rounded up for display ({@link PValues}), or for an analyst
     * (the entry has a {@code p_bucket}) the bucket its bound stands for ("p &le; 1e-6").
     */
    static String pCell(JsonNode k, String pField, String log10Field) {
        if (k.has("p_bucket")) {
            JsonNode lp = k.get(log10Field);
            return esc(Disclosure.bucketLabel(lp == null || !lp.isNumber() ? Double.NEGATIVE_INFINITY : lp.asDouble()));
        }
        return PValues.html(k.get(pField), k.get(log10Field));
    }

    /** The body of a radioactivity report: corpus-level tests only. */
    private static void radioactivity(StringBuilder h, JsonNode r) {
        h.append("<p id=\"summary\">Radioactivity test (Sander et al. 2024) over ")
                .append(count(r.path("documents").asLong(), "suspect document")).append(", ")
                .append(count(r.path("tokens").path("seen").asLong(), "token")).append(". ");
        JsonNode sd = r.path("served_data");
        if (sd.isObject()) {
            h.append("Served-data filter: only contexts ").append(sd.path("top").asInt() > 0 ? "among the "
                    + sd.path("top").asInt() + " most frequent " : "").append("in the corpus of scan <code>")
                    .append(esc(sd.path("scan_id").asText())).append("</code> (").append(esc(sd.path("name").asText()))
                    .append("; ").append(count(sd.path("documents").asLong(), "document")).append(", ")
                    .append(count(sd.path("tokens").asLong(), "token")).append(sd.path("truncated").asBoolean()
                            ? ", truncated at " + sd.path("max_tokens").asLong() + " tokens" : "").append(") are scored. ");
        } else {
            h.append("No served-data filter. ");
        }
        h.append(count(r.path("prompt_exclusion").path("documents_with_prompt").asLong(), "document"))
                .append(" carried a prompt whose contexts were excluded. Took ")
                .append(String.format(Locale.ROOT, "%.1f s.", r.path("timing").path("seconds").asDouble())).append("</p>");
        h.append("<h2>Corpus-level test per key</h2>");
        h.append("<p class=\"muted\">Each distinct (context, token) tuple of the whole suspect corpus is scored once; "
                + "bars show &minus;log<sub>10</sub> of the Holm-adjusted p-value, the dashed line the threshold.</p>");
        h.append(ReportCharts.keys(r));
        h.append("<div class=\"scroll\"><table id=\"keys\"><tr><th>key</th><th>scheme</th><th class=num>tuples scored</th>"
                + "<th class=num>skipped (repeated / served filter / prompt / budget)</th><th class=num>statistic</th>"
                + "<th class=num>p (unadjusted)</th><th class=num>p (Holm-adjusted)</th><th>verdict</th></tr>");
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
                    .append(pCell(k, "p_value_unadjusted", "log10_p_unadjusted")).append("</td><td class=num>")
                    .append(pCell(k, "p_value", "log10_p")).append("</td><td>")
                    .append(k.path("watermarked").asBoolean() ? "<b>radioactive</b>" : "not detected").append("</td></tr>");
        }
        h.append("</table></div>");
        skipped(h, r);
    }
}
