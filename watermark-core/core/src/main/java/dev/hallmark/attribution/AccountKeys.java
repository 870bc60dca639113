package dev.hallmark.attribution;

import dev.hallmark.embed.KeySchedule;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.prf.Prf;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.KgwScheme;
import dev.hallmark.scheme.Scheme;
import java.util.Objects;

/**
 * Per-account watermark keys that can be attributed at scale.
 *
 * <p>Derived from the master key: one group key per (position, symbol) of the {@link AccountCode},
 * {@code K(i, s) = master.derive("attribution/v1/group/" + i + "/" + s)}, and a position function
 * {@code pos(context) = PRF_master(context) mod length} over the scheme's context window. Account
 * a watermarks each step with {@code K(pos(c), f_a(pos(c)))}: its text carries, at every
 * position, the group key of its codeword's symbol there.
 *
 * <p>A detector scores each distinct tuple of a suspect corpus against the q group keys of the
 * tuple's position only (q PRF calls per tuple, instead of one per account), then decides per
 * account from the group results ({@link AttributionAccumulator}).
 *
 * <p>Not for KGW selfhash seeding: its tuple identity depends on the key, so tuples could not be
 * de-duplicated once for all group keys.
 */
public final class AccountKeys {

    private final Scheme scheme;
    private final AccountCode code;
    private final String masterId;
    private final Prf position;
    private final KeyedScheme[] groups;

    public AccountKeys(WatermarkKey master, Scheme scheme, AccountCode code) {
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.code = Objects.requireNonNull(code, "code");
        if (scheme.keyKind() != Scheme.KeyKind.HALLMARK) {
            throw new IllegalArgumentException("account attribution needs a scheme keyed by Hallmark keys; " + scheme
                    + " verifies a third-party watermark whose key is not derived per account");
        }
        if (scheme instanceof KgwScheme k && k.seeding() == KgwScheme.Seeding.SELFHASH) {
            throw new IllegalArgumentException("account attribution does not support selfhash seeding: its tuples "
                    + "depend on the key, so they cannot be de-duplicated once for all group keys");
        }
        if (scheme.contextWidth() < 1) {
            throw new IllegalArgumentException("account attribution needs a scheme with a context (not unigram): "
                    + "the position of a step is a function of its context");
        }
        this.masterId = master.id();
        this.position = Prf.of(master, "attribution/v1/position");
        this.groups = new KeyedScheme[code.groups()];
        for (int i = 0; i < code.length(); i++) {
            for (int s = 0; s < code.q(); s++) {
                groups[code.group(i, s)] = KeyedScheme.of(scheme, master.derive("attribution/v1/group/" + i + "/" + s));
            }
        }
    }

    public Scheme scheme() {
        return scheme;
    }

    public AccountCode code() {
        return code;
    }

    public String masterId() {
        return masterId;
    }

    /** The code position of the step whose context ends before index {@code end}. */
    public int position(int[] context, int end) {
        int h = scheme.contextWidth();
        long r = position.hash(context, end - h, h - 1, context[end - 1]);
        return (int) Long.remainderUnsigned(r, code.length());
    }

    /** The group key of (position, symbol). */
    public KeyedScheme group(int position, int symbol) {
        return groups[code.group(position, symbol)];
    }

    /** The embedding schedule of one account: each step uses the group key of its codeword. */
    public KeySchedule scheduleFor(long account) {
        int[] symbols = new int[code.length()];
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = code.symbol(account, i);
        }
        KeyedScheme rep = group(0, symbols[0]);
        return new KeySchedule() {
            @Override
            public KeyedScheme keyFor(int[] context, int end) {
                int i = position(context, end);
                return group(i, symbols[i]);
            }

            @Override
            public KeyedScheme representative() {
                return rep;
            }
        };
    }
}
