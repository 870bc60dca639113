package dev.hallmark.service.store;

import java.time.Instant;
import java.util.List;

/**
 * The rows under {@link KeyStore}: each key's public metadata and its sealed secret. The store
 * never sees a secret in the clear; implementations only persist what they are given.
 */
interface KeyRecords {

    /** Inserts an active key: the metadata of {@code info} (its status and retirement are ignored) and the sealed secret. */
    void insert(KeyStore.Info info, byte[] sealed);

    /** The key's metadata, or null. */
    KeyStore.Info get(String id);

    /** Every key, oldest first (ties by id). */
    List<KeyStore.Info> list();

    /** Marks the key retired (keeping the first retirement time); false if there is no such key. */
    boolean retire(String id, Instant at);

    /** The sealed secret of an existing key. */
    byte[] sealed(String id);
}
