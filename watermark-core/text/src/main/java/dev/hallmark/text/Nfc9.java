package dev.hallmark.text;

import java.util.Arrays;

/**
 * Unicode Normalization Form C as HF tokenizers computes it: the algorithm and the Unicode 9.0
 * tables of the crate {@code unicode-normalization-alignments} 0.1.12. Code points assigned after
 * Unicode 9.0 have combining class 0 and no decomposition there, so this is deliberately not
 * {@link java.text.Normalizer} (Unicode 13.0 in Java 17), which reorders and composes them.
 *
 * <p>Steps: full canonical decomposition (Hangul algorithmically); each run of non-starters is
 * stably sorted by combining class; then the recomposition state machine of the crate.
 */
final class Nfc9 {

    private static final int S_BASE = 0xAC00;
    private static final int L_BASE = 0x1100;
    private static final int V_BASE = 0x1161;
    private static final int T_BASE = 0x11A7;
    private static final int L_COUNT = 19;
    private static final int V_COUNT = 21;
    private static final int T_COUNT = 28;
    private static final int N_COUNT = V_COUNT * T_COUNT;
    private static final int S_COUNT = L_COUNT * N_COUNT;

    private Nfc9() {
    }

    /** True if every code point of {@code s[from, to)} is NFC-inert, so NFC returns the text as it is. */
    static boolean isInert(char[] s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s[i];
            if (c < 0x300) {
                continue;
            }
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s[i + 1])) {
                cp = Character.toCodePoint(c, s[++i]);
            }
            if ((UnicodeTables.flags(cp) & UnicodeTables.NOT_INERT) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Normalizes {@code s[from, to)} into {@code ws.norm} (grown as needed).
     *
     * @return the number of chars written to {@code ws.norm}
     */
    static int normalize(char[] s, int from, int to, Workspace ws) {
        int maxCps = (to - from) * 4 + 4;
        if (ws.nfcCps.length < maxCps) {
            ws.nfcCps = new int[maxCps];
            ws.nfcCcc = new int[maxCps];
            ws.nfcBuf = new int[maxCps];
        }
        int[] cps = ws.nfcCps;
        int[] ccc = ws.nfcCcc;
        int n = 0;
        for (int i = from; i < to; i++) {
            int cp = s[i];
            if (Character.isHighSurrogate(s[i]) && i + 1 < to && Character.isLowSurrogate(s[i + 1])) {
                cp = Character.toCodePoint(s[i], s[++i]);
            }
            if (cp < 0x80) {
                ccc[n] = 0;
                cps[n++] = cp;
            } else if (cp >= S_BASE && cp < S_BASE + S_COUNT) {
                int si = cp - S_BASE;
                cps[n] = L_BASE + si / N_COUNT;
                ccc[n++] = 0;
                cps[n] = V_BASE + (si % N_COUNT) / T_COUNT;
                ccc[n++] = 0;
                if (si % T_COUNT != 0) {
                    cps[n] = T_BASE + si % T_COUNT;
                    ccc[n++] = 0;
                }
            } else {
                int d = UnicodeTables.decomposition(cp);
                if (d < 0) {
                    cps[n] = cp;
                    ccc[n++] = UnicodeTables.ccc(cp);
                } else {
                    for (int k = UnicodeTables.decompositionStart(d); k < UnicodeTables.decompositionEnd(d); k++) {
                        int dc = UnicodeTables.decompositionAt(k);
                        cps[n] = dc;
                        ccc[n++] = UnicodeTables.ccc(dc);
                    }
                }
            }
        }
        sortNonStarterRuns(cps, ccc, n);
        return recompose(cps, ccc, n, ws);
    }

    /** Canonical ordering: each maximal run of non-starters is stably sorted by combining class. */
    private static void sortNonStarterRuns(int[] cps, int[] ccc, int n) {
        int i = 0;
        while (i < n) {
            if (ccc[i] == 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < n && ccc[j] != 0) {
                j++;
            }
            if (j - i > 1) {
                if (j - i <= 32) {
                    insertionSort(cps, ccc, i, j);
                } else {
                    packedSort(cps, ccc, i, j);
                }
            }
            i = j;
        }
    }

    private static void insertionSort(int[] cps, int[] ccc, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int c = ccc[i];
            int cp = cps[i];
            int j = i - 1;
            while (j >= from && ccc[j] > c) {
                ccc[j + 1] = ccc[j];
                cps[j + 1] = cps[j];
                j--;
            }
            ccc[j + 1] = c;
            cps[j + 1] = cp;
        }
    }

    /** Stable sort of a long run (by class, then original position). */
    private static void packedSort(int[] cps, int[] ccc, int from, int to) {
        long[] keys = new long[to - from];
        for (int i = from; i < to; i++) {
            keys[i - from] = ((long) ccc[i] << 32) | (i - from);
        }
        Arrays.sort(keys);
        int[] copy = Arrays.copyOfRange(cps, from, to);
        for (int i = 0; i < keys.length; i++) {
            int k = (int) keys[i];
            cps[from + i] = copy[k];
            ccc[from + i] = (int) (keys[i] >>> 32);
        }
    }

    /** The crate's recomposition state machine; writes chars to {@code ws.norm}. */
    private static int recompose(int[] cps, int[] ccc, int n, Workspace ws) {
        if (ws.norm.length < 2 * n) {
            ws.norm = new char[2 * n];
        }
        char[] out = ws.norm;
        int[] buffer = ws.nfcBuf;
        int buffered = 0;
        int o = 0;
        int composee = -1;
        int lastCcc = -1;
        for (int i = 0; i < n; i++) {
            int ch = cps[i];
            int cc = ccc[i];
            if (composee < 0) {
                if (cc != 0) {
                    o = put(out, o, ch);
                } else {
                    composee = ch;
                }
                continue;
            }
            if (lastCcc < 0) {
                int r = compose(composee, ch);
                if (r >= 0) {
                    composee = r;
                    continue;
                }
                if (cc == 0) {
                    o = put(out, o, composee);
                    composee = ch;
                    continue;
                }
                buffer[buffered++] = ch;
                lastCcc = cc;
            } else {
                if (lastCcc >= cc) {
                    if (cc == 0) {
                        o = put(out, o, composee);
                        for (int k = 0; k < buffered; k++) {
                            o = put(out, o, buffer[k]);
                        }
                        buffered = 0;
                        composee = ch;
                        lastCcc = -1;
                        continue;
                    }
                    buffer[buffered++] = ch;
                    lastCcc = cc;
                    continue;
                }
                int r = compose(composee, ch);
                if (r >= 0) {
                    composee = r;
                    continue;
                }
                buffer[buffered++] = ch;
                lastCcc = cc;
            }
        }
        if (composee >= 0) {
            o = put(out, o, composee);
        }
        for (int k = 0; k < buffered; k++) {
            o = put(out, o, buffer[k]);
        }
        return o;
    }

    private static int compose(int a, int b) {
        if (a >= L_BASE && a < L_BASE + L_COUNT && b >= V_BASE && b < V_BASE + V_COUNT) {
            return S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT;
        }
        if (a >= S_BASE && a < S_BASE + S_COUNT && b > T_BASE && b < T_BASE + T_COUNT
                && (a - S_BASE) % T_COUNT == 0) {
            return a + (b - T_BASE);
        }
        return UnicodeTables.compose(a, b);
    }

    private static int put(char[] out, int o, int cp) {
        if (cp >= 0x10000) {
            out[o++] = Character.highSurrogate(cp);
            out[o++] = Character.lowSurrogate(cp);
        } else {
            out[o++] = (char) cp;
        }
        return o;
    }
}
