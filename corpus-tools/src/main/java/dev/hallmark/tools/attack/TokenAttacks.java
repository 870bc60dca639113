package dev.hallmark.tools.attack;

import java.util.Arrays;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Random token-level edits at a rate r: each token independently, with probability r.
 *
 * <ul>
 *   <li>{@code delete}: the token is removed. Edit distance = number deleted, so the expected
 *       edit rate is exactly r.
 *   <li>{@code insert}: a token is inserted before it. Edit distance = number inserted; expected
 *       edit rate r.
 *   <li>{@code substitute}: the token is replaced by a different one. Edit distance is at most the
 *       number replaced (Levenshtein can align around a substitution that recreates a shifted
 *       pattern, rarely), so the expected edit rate is r or a hair below.
 * </ul>
 * Inserted and substituted tokens are drawn from the document itself (a uniformly random position
 * of the input, i.e. its unigram distribution; for substitution, redrawn until different from the
 * token replaced): they are tokens the tokenizer produces for this kind of text, so decoding
 * gives plausible text rather than byte fragments, and no vocabulary knowledge is needed.
 */
final class TokenAttacks {

    private TokenAttacks() {
    }

    static TokenAttack delete(double rate) {
        return new Delete(rate);
    }

    static TokenAttack insert(double rate) {
        return new Insert(rate);
    }

    static TokenAttack substitute(double rate) {
        return new Substitute(rate);
    }

    private record Delete(double strength) implements TokenAttack {
        @Override
        public String kind() {
            return "delete";
        }

        @Override
        public Changed<int[]> apply(int[] ids, RandomGenerator random) {
            int[] out = new int[ids.length];
            int n = 0;
            for (int id : ids) {
                if (random.nextDouble() >= strength) {
                    out[n++] = id;
                }
            }
            return new Changed<>(Arrays.copyOf(out, n), Map.of("deleted", (long) (ids.length - n)));
        }
    }

    private record Insert(double strength) implements TokenAttack {
        @Override
        public String kind() {
            return "insert";
        }

        @Override
        public Changed<int[]> apply(int[] ids, RandomGenerator random) {
            if (ids.length == 0) {
                return new Changed<>(ids.clone(), Map.of("inserted", 0L));
            }
            int[] out = new int[2 * ids.length];
            int n = 0;
            long inserted = 0;
            for (int id : ids) {
                if (random.nextDouble() < strength) {
                    out[n++] = ids[random.nextInt(ids.length)];
                    inserted++;
                }
                out[n++] = id;
            }
            return new Changed<>(Arrays.copyOf(out, n), Map.of("inserted", inserted));
        }
    }

    private record Substitute(double strength) implements TokenAttack {
        @Override
        public String kind() {
            return "substitute";
        }

        @Override
        public Changed<int[]> apply(int[] ids, RandomGenerator random) {
            int[] out = ids.clone();
            boolean varied = false;
            for (int i = 1; i < ids.length && !varied; i++) {
                varied = ids[i] != ids[0];
            }
            long substituted = 0;
            long impossible = 0;
            for (int i = 0; i < ids.length; i++) {
                if (random.nextDouble() < strength) {
                    if (!varied) {
                        impossible++; // every token is the same: nothing different to draw
                        continue;
                    }
                    int r;
                    do {
                        r = ids[random.nextInt(ids.length)];
                    } while (r == ids[i]);
                    out[i] = r;
                    substituted++;
                }
            }
            return new Changed<>(out, impossible == 0 ? Map.of("substituted", substituted)
                    : Map.of("substituted", substituted, "not_substitutable", impossible));
        }
    }
}
