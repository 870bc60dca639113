package dev.hallmark.service.http;

import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.scan.QueryBudget;
import dev.hallmark.service.scan.ScanCorpus;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.AuditLog;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.service.store.ScanStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;

/** The JSON bodies of the stored things, as docs/openapi.yaml describes them (never a secret). */
final class Views {

    private Views() {}

    /** A scan: its parameters, state and progress (the report is added by the caller). */
    static JsonObject scan(ScanStore.Scan s) {
        JsonObject o = new JsonObject()
                .put("id", s.id())
                .put("scan_type", s.scanType())
                .put("tenant", s.tenant())
                .put("name", s.name())
                .put("state", s.state())
                .put("format", s.format())
                .put("compression", s.compression())
                .put("alpha", s.alpha())
                .put("created_at", s.createdAt().toString())
                .put("attempts", s.attempts());
        if (s.field() != null) {
            o.put("field", s.field());
        }
        if (s.split() != null) {
            o.put("split", s.split());
        }
        if (s.keyIds() != null) {
            o.put("key_ids", new JsonArray(new ArrayList<>(s.keyIds())));
        }
        if (s.scheme() != null) {
            o.put("scheme", s.scheme());
        }
        if (s.params() != null) {
            o.put("params", new JsonObject(s.params()));
        }
        if (s.startedAt() != null) {
            o.put("started_at", s.startedAt().toString());
        }
        if (s.finishedAt() != null) {
            o.put("finished_at", s.finishedAt().toString());
        }
        o.put("progress", new JsonObject()
                .put("documents", s.documents())
                .put("tokens", s.tokens())
                .put("bytes", s.bytes())
                .put("total_bytes", s.uploadBytes())
                .put("fraction", s.uploadBytes() == 0 ? 0.0 : Math.min(1.0, (double) s.bytes() / s.uploadBytes())));
        if (s.error() != null) {
            o.put("error", s.error());
        }
        if (s.verdict() != null) {
            o.put("verdict", s.verdict());
        }
        return o;
    }

    /** A key's public metadata ({@code tenant} null: shared by every tenant). */
    static JsonObject key(KeyStore.Info k) {
        JsonObject o = new JsonObject()
                .put("id", k.id())
                .put("kind", k.kind())
                .put("scheme", k.scheme())
                .put("label", k.label())
                .put("tenant", k.tenant())
                .put("status", k.status())
                .put("created_at", k.createdAt().toString());
        if (k.parentId() != null) {
            o.put("parent_id", k.parentId()).put("derivation_path", k.derivationPath());
        }
        if (k.retiredAt() != null) {
            o.put("retired_at", k.retiredAt().toString());
        }
        return o;
    }

    /** A token's public record (never the token). */
    static JsonObject token(ApiTokens.Principal p) {
        JsonObject o = new JsonObject()
                .put("id", p.tokenId())
                .put("tenant", p.tenant())
                .put("role", p.role().text())
                .put("label", p.label())
                .put("created_at", p.createdAt().toString());
        if (p.revokedAt() != null) {
            o.put("revoked_at", p.revokedAt().toString());
        }
        return o;
    }

    /** An audit-log entry. */
    static JsonObject audit(AuditLog.Entry e) {
        JsonObject o = new JsonObject().put("id", e.id())
                .put("at", e.at().toString())
                .put("action", e.action());
        if (e.tokenId() != null) {
            o.put("token_id", e.tokenId());
        }
        if (e.tenant() != null) {
            o.put("tenant", e.tenant());
        }
        if (e.target() != null) {
            o.put("target", e.target());
        }
        if (e.detail() != null) {
            o.put("detail", e.detail());
        }
        return o;
    }

    /**
     * The limits in force for this caller, as {@code GET /v1/me} shows them. The burst is at least
     * the cost of the largest request the other limits allow (texts + tokens / tokens_per_unit),
     * so every allowed request can pass the rate limit.
     */
    static JsonObject limits(ServiceConfig c, boolean admin) {
        JsonObject o = new JsonObject()
                .put("max_body_bytes", c.maxBodyBytes())
                .put("max_upload_bytes", c.maxUploadBytes())
                .put("max_decompressed_bytes", c.maxDecompressedBytes())
                .put("max_document_chars", ScanCorpus.MAX_DOCUMENT_CHARS)
                .put("max_batch_texts", c.maxBatchTexts())
                .put("min_tokens", admin ? c.minTokens() : Math.max(c.minTokens(), c.analysts().minTokens()))
                .put("rate_per_second", c.ratePerSecond())
                .put("rate_burst", c.rateBurst())
                .put("rate_units", "one per request; a detect request one per text plus one per "
                        + ServiceConfig.TOKENS_PER_UNIT + " tokens" + (admin ? "" : "; an accepted scan upload its "
                        + "documents and tokens the same way, up to one burst"))
                .put("max_request_units", c.maxRequestUnits())
                .put("idle_timeout_seconds", c.timeouts().idleSeconds())
                .put("request_timeout_seconds", c.timeouts().requestSeconds())
                .put("header_timeout_seconds", c.timeouts().headerSeconds());
        if (!admin) {
            JsonArray alphas = new JsonArray();
            for (int l : dev.hallmark.service.scan.Disclosure.LADDER_LOG10) {
                double v = Math.pow(10, l);
                if (v <= c.analysts().maxAlpha() * (1 + 1e-12)) {
                    alphas.add(v);
                }
            }
            o.put("alphas", alphas);
        }
        return o;
    }

    /** An analyst's daily budget and what is left of it today. */
    static JsonObject budget(ServiceConfig c, QueryBudget.Remaining left) {
        return new JsonObject()
                .put("documents_per_day", c.analysts().dailyDocuments())
                .put("tokens_per_day", c.analysts().dailyTokens())
                .put("tenant_documents_per_day", c.analysts().tenantDailyDocuments())
                .put("tenant_tokens_per_day", c.analysts().tenantDailyTokens())
                .put("remaining", new JsonObject()
                        .put("documents", left.documents())
                        .put("tokens", left.tokens())
                        .put("tenant_documents", left.tenantDocuments())
                        .put("tenant_tokens", left.tenantTokens()))
                .put("resets_at", left.resetsAt());
    }
}
