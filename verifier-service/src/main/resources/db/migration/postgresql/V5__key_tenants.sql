-- Schema 5: a key belongs to a tenant, or is shared.
-- tenant NULL: shared, tested for every tenant (its id and label appear in every tenant's reports);
-- else only the analysts of that tenant test it and see it. Every key registered before schema 5 is
-- shared, so an upgrade changes nothing any tenant sees until an admin assigns the key to a tenant
-- (PATCH /v1/keys/{id} {"tenant": ...}, or the keys panel of the web page).
ALTER TABLE wm_keys ADD COLUMN tenant VARCHAR(100);
CREATE INDEX wm_keys_tenant ON wm_keys(tenant);
