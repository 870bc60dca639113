package dev.hallmark.service.store;

import java.time.Instant;
import java.util.List;

/** The rows under {@link ApiTokens}: each token's public record and the SHA-256 of its value (never the value). */
interface TokenRecords {

    /** Inserts a new, unrevoked token. */
    void insert(ApiTokens.Principal p, String tokenSha256);

    /** The unrevoked token whose value has this SHA-256, or null. */
    ApiTokens.Principal active(String tokenSha256);

    /** Every token, oldest first (ties by id). */
    List<ApiTokens.Principal> list();

    /** Revokes an unrevoked token; false if there is none with that id or it was already revoked. */
    boolean revoke(String id, Instant at);

    /** Whether a token with this id exists (revoked or not). */
    boolean exists(String id);

    /** How many tokens exist (revoked or not). */
    int count();
}
