package dev.hallmark.service.store;

/**
 * Which registered keys a detection, a scan or a listing may use: those of one tenant together
 * with the shared keys (tenant null), or every key ({@link #ALL}: admins' own detections and
 * listings). A key outside the scope is treated as if it did not exist: naming it is an
 * unknown-key error, so its existence does not leak to another tenant.
 *
 * @param tenant the tenant, or null for every key
 */
public record KeyScope(String tenant) {

    /** Every key, whatever its tenant. */
    public static final KeyScope ALL = new KeyScope(null);

    /** The keys of {@code tenant} and the shared ones. */
    public static KeyScope of(String tenant) {
        if (tenant == null) {
            throw new IllegalArgumentException("a tenant scope needs a tenant (KeyScope.ALL for every key)");
        }
        return new KeyScope(tenant);
    }

    /** Whether a key of {@code keyTenant} (null: shared) is in the scope. */
    public boolean sees(String keyTenant) {
        return tenant == null || keyTenant == null || keyTenant.equals(tenant);
    }

    /** Whether {@code key} is in the scope. */
    public boolean sees(KeyStore.Info key) {
        return sees(key.tenant());
    }
}
