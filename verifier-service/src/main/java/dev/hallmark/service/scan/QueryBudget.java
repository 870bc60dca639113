package dev.hallmark.service.scan;

import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.UsageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The analysts' daily query budget: the texts tested and documents scanned, and their tokens, per
 * API token and per tenant and UTC day ({@link ServiceConfig.Analysts}); admins are not charged.
 * Detection charges a request's texts and tokens before it answers; a scan is charged its documents
 * and an estimate of its tokens (characters / 4, token ids one each) when its upload is accepted,
 * and the difference to its real token count when it ends. What is used is stored
 * ({@link UsageStore}), so a restart does not renew it and every instance on the same database
 * charges the same totals: a charge is checked and recorded under the rows' locks.
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

    /**
     * The tokens an analyst's probe scan is charged when it is created: every answer at its
     * {@code max_tokens} (corrected by the real count when the scan ends, as an upload's estimate is).
     */
    public static long probeTokens(int prompts, int samples, int maxTokens) {
        return (long) prompts * samples * maxTokens;
    }

    /** Today's remaining budget of an analyst token. */
    public Remaining remaining(String tokenId, String tenantName) {
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
    public void charge(String tokenId, String tenantName, long documents, long tokens) {
        LocalDate d = today();
        usage.update(List.of(token(tokenId), tenant(tenantName)), d, used -> {
            UsageStore.Totals t = used.get(0);
            UsageStore.Totals n = used.get(1);
            check("this API token", limits.dailyDocuments(), t.documents(), documents, "documents");
            check("this API token", limits.dailyTokens(), t.tokens(), tokens, "tokens");
            check("tenant '" + tenantName + "'", limits.tenantDailyDocuments(), n.documents(), documents, "documents");
            check("tenant '" + tenantName + "'", limits.tenantDailyTokens(), n.tokens(), tokens, "tokens");
            return new UsageStore.Totals(documents, tokens);
        });
    }

    /** Records a correction (e.g. a scan's real token count minus its estimate) without a check. */
    public void adjust(String tokenId, String tenantName, long documents, long tokens) {
        usage.update(List.of(token(tokenId), tenant(tenantName)), today(), used -> new UsageStore.Totals(documents, tokens));
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
