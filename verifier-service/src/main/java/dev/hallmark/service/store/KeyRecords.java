package dev.hallmark.service.store;

import java.time.Instant;
import java.util.List;

/**
 * The rows under {@link KeyStore}: each key's public metadata and its sealed secret. The store
 * never sees a secret in the clear; implementations only persist what they are given.
 */
interface KeyRecords {

    /** Inserts an active key: the metadata of {@code info} (its status and retirement are ignored; its tenant kept) and the sealed secret. */
    void insert(KeyStore.Info info, byte[] sealed);

    /** The key's metadata, or null. */
    KeyStore.Info get(String id);

    /** Every key, oldest first (ties by id). */
    List<KeyStore.Info> list();

    /** Sets the key's tenant (null: shared by every tenant); false if there is no such key. */
    boolean setTenant(String id, String tenant);

    /** Sets the key's label; false if there is no such key. */
    boolean setLabel(String id, String label);

    /** Marks the key retired (keeping the first retirement time); false if there is no such key. */
    boolean retire(String id, Instant at);

    /** The sealed secret of an existing key. */
    byte[] sealed(String id);
}
