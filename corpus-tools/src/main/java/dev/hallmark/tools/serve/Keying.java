package dev.hallmark.tools.serve;

import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.embed.KeySchedule;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which watermark key schedule each account's sequences are sampled with.
 * <ul>
 *   <li>{@link #derived}: the account's own key {@code master.derive("account/" + name)}, the same
 *       key as {@code hallmark keygen --from master.json --derive account/<name>};
 *   <li>{@link #coded}: the Reed-Solomon account code of docs/attribution.md, account number
 *       {@link Accounts.Account#index()};
 *   <li>{@link #none}: no watermark ({@code --no-watermark}).
 * </ul>
 * Schedules are built once per account and shared by its sequences (they are immutable).
 */
public abstract sealed class Keying permits Keying.None, Keying.Derived, Keying.Coded {

    /** The schedule for an account's sequences, or {@code null} for no watermark. */
    abstract KeySchedule scheduleFor(Accounts.Account account);

    /** What the server says at start-up (key ids only, never secrets). */
    public abstract String describe();

    /** No watermark. */
    public static Keying none() {
        return new None();
    }

    /** One derived key per account. */
    public static Keying derived(WatermarkKey master, Scheme scheme) {
        return new Derived(master, scheme);
    }

    /** Account codes (docs/attribution.md). */
    public static Keying coded(WatermarkKey master, Scheme scheme, AccountCode code) {
        return new Coded(new AccountKeys(master, scheme, code));
    }

    static final class None extends Keying {
        @Override
        KeySchedule scheduleFor(Accounts.Account account) {
            return null;
        }

        @Override
        public String describe() {
            return "no watermark";
        }
    }

    static final class Derived extends Keying {
        private final WatermarkKey master;
        private final Scheme scheme;
        private final Map<String, KeySchedule> cache = new ConcurrentHashMap<>();

        Derived(WatermarkKey master, Scheme scheme) {
            this.master = Objects.requireNonNull(master, "master");
            this.scheme = Objects.requireNonNull(scheme, "scheme");
            if (!scheme.canEmbed()) {
                throw new IllegalArgumentException("scheme " + scheme + " verifies only; it cannot embed");
            }
        }

        @Override
        KeySchedule scheduleFor(Accounts.Account account) {
            return cache.computeIfAbsent(account.name(),
                    n -> KeySchedule.fixed(KeyedScheme.of(scheme, master.derive("account/" + n))));
        }

        @Override
        public String describe() {
            return "scheme " + scheme + ", one key per account derived from master " + master.id()
                    + " at account/<account>";
        }
    }

    static final class Coded extends Keying {
        private final AccountKeys keys;
        private final Map<Long, KeySchedule> cache = new ConcurrentHashMap<>();

        Coded(AccountKeys keys) {
            this.keys = keys;
            if (!keys.scheme().canEmbed()) {
                throw new IllegalArgumentException("scheme " + keys.scheme() + " verifies only; it cannot embed");
            }
        }

        @Override
        KeySchedule scheduleFor(Accounts.Account account) {
            if (account.index() >= keys.code().capacity()) {
                throw new IllegalStateException("account " + account.name() + " has index " + account.index()
                        + ", beyond the code's capacity " + keys.code().capacity());
            }
            return cache.computeIfAbsent(account.index(), keys::scheduleFor);
        }

        /** Checks at start-up that every account fits the code. */
        void check(Accounts accounts) {
            for (Accounts.Account a : accounts.all()) {
                if (a.index() >= keys.code().capacity()) {
                    throw new IllegalArgumentException("account " + a.name() + " has index " + a.index()
                            + ", beyond the code's capacity " + keys.code().capacity() + " (use a larger --code)");
                }
            }
        }

        @Override
        public String describe() {
            return "scheme " + keys.scheme() + ", account codes q=" + keys.code().q() + " length=" + keys.code().length()
                    + " degree=" + keys.code().degree() + " from master " + keys.masterId();
        }
    }
}
