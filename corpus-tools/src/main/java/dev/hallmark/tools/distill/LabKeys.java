package dev.hallmark.tools.distill;

import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import java.util.HashMap;
import java.util.Map;

/** The lab's per-account keys under each scheme it serves, derived once from the master key. */
final class LabKeys {

    private final WatermarkKey master;
    private final AccountCode code;
    private final Map<String, AccountKeys> byScheme = new HashMap<>();

    LabKeys(WatermarkKey master, AccountCode code) {
        this.master = master;
        this.code = code;
    }

    WatermarkKey master() {
        return master;
    }

    AccountCode code() {
        return code;
    }

    /** The account keys of {@code scheme} (a canonical spec) under the master key. */
    AccountKeys of(String scheme) {
        return byScheme.computeIfAbsent(scheme, s -> new AccountKeys(master, Scheme.parse(s), code));
    }
}
