package dev.hallmark.service.scan;

import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.UsageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The analysts' daily query budget: the texts tested and documents scanned, and their tokens, per
 * API token and per tenant and UTC day ({@link ServiceConfig.Analysts}); admins are not charged.
 * Detection charges a request's texts and tokens before it answers; a scan is charged its documents
 * and an estimate of its tokens (characters / 4, token ids one each) when its upload is accepted,
 * and the difference to its real token count when it ends. What is used is stored, so a restart
 * does not renew it. Single-process: the charge is checked and recorded under one lock.
 */
public final class QueryBudget {

    private final ServiceConfig.Analysts limits;
    private final UsageStore usage;
    private final Clock clock;

    public QueryBudget(ServiceConfig.Analysts limits, UsageStore usage, Clock clock) {
        this.limits = limits;
        this.usage = usage;
        this.clock = clock;
    }

    /** What is left today: documents and tokens for the token and for its tenant (-1: unlimited). */
    public record Remaining(long documents, long tokens, long tenantDocuments, long tenantTokens, String resetsAt) {}

    private LocalDate today() {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC));
    }

    private static String token(String tokenId) {
        return "token:" + tokenId;
    }

    private static String tenant(String tenant) {
        return "tenant:" + tenant;
    }

    private static long left(long limit, long used) {
        return limit == 0 ? -1 : Math.max(0, limit - used);
    }

    /** Today's remaining budget of an analyst token. */
    public synchronized Remaining remaining(String tokenId, String tenantName) {
        LocalDate d = today();
        UsageStore.Totals t = usage.get(token(tokenId), d);
        UsageStore.Totals n = usage.get(tenant(tenantName), d);
        return new Remaining(left(limits.dailyDocuments(), t.documents()), left(limits.dailyTokens(), t.tokens()),
                left(limits.tenantDailyDocuments(), n.documents()), left(limits.tenantDailyTokens(), n.tokens()),
                d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString());
    }

    /**
     * Charges an analyst's request: {@code documents} texts or scanned documents with {@code tokens} tokens.
     *
     * @throws Problem budget-exhausted (429, retry after midnight UTC) naming what is left, when the
     *     token's or the tenant's budget for today cannot cover it; nothing is charged then
     */
    public synchronized void charge(String tokenId, String tenantName, long documents, long tokens) {
        LocalDate d = today();
        UsageStore.Totals t = usage.get(token(tokenId), d);
        UsageStore.Totals n = usage.get(tenant(tenantName), d);
        check("this API token", limits.dailyDocuments(), t.documents(), documents, "documents");
        check("this API token", limits.dailyTokens(), t.tokens(), tokens, "tokens");
        check("tenant '" + tenantName + "'", limits.tenantDailyDocuments(), n.documents(), documents, "documents");
        check("tenant '" + tenantName + "'", limits.tenantDailyTokens(), n.tokens(), tokens, "tokens");
        usage.add(token(tokenId), d, documents, tokens);
        usage.add(tenant(tenantName), d, documents, tokens);
    }

    /** Records a correction (e.g. a scan's real token count minus its estimate) without a check. */
    public synchronized void adjust(String tokenId, String tenantName, long documents, long tokens) {
        LocalDate d = today();
        usage.add(token(tokenId), d, documents, tokens);
        usage.add(tenant(tenantName), d, documents, tokens);
    }

    private void check(String who, long limit, long used, long want, String what) {
        if (limit > 0 && used + want > limit) {
            long wait = Duration.between(clock.instant(),
                    today().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()).toSeconds() + 1;
            throw Problem.budgetExhausted(who + " has " + Math.max(0, limit - used) + " of its " + limit + " " + what
                    + " for today (UTC) left; this request needs " + want + ". The budget renews at 00:00 UTC; an admin "
                    + "can raise it (--analyst-daily-" + what + ", --tenant-daily-" + what + ")", wait);
        }
    }
}
