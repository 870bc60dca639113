package dev.hallmark.tools.attack;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Levenshtein distance (unit-cost insertions, deletions and substitutions) between sequences of
 * token ids or of words: the edit rates every attack reports.
 *
 * <p>Algorithm: the Wagner-Fischer dynamic programme with two rows, O(n m) time and O(min(n, m))
 * memory; the common prefix and suffix are stripped first, so sparse edits of long texts cost
 * far less than n m.
 */
public final class EditDistance {

    private EditDistance() {
    }

    /** Levenshtein distance between {@code a} and {@code b}. */
    public static int levenshtein(int[] a, int[] b) {
        int n = a.length;
        int m = b.length;
        int pre = 0;
        while (pre < n && pre < m && a[pre] == b[pre]) {
            pre++;
        }
        int suf = 0;
        while (suf < n - pre && suf < m - pre && a[n - 1 - suf] == b[m - 1 - suf]) {
            suf++;
        }
        int la = n - pre - suf;
        int lb = m - pre - suf;
        if (la == 0) {
            return lb;
        }
        if (lb == 0) {
            return la;
        }
        // keep the row over the shorter sequence
        if (lb > la) {
            return distance(b, pre, lb, a, pre, la);
        }
        return distance(a, pre, la, b, pre, lb);
    }

    private static int distance(int[] a, int aOff, int la, int[] b, int bOff, int lb) {
        int[] prev = new int[lb + 1];
        int[] cur = new int[lb + 1];
        for (int j = 0; j <= lb; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= la; i++) {
            cur[0] = i;
            int ai = a[aOff + i - 1];
            for (int j = 1; j <= lb; j++) {
                int sub = prev[j - 1] + (ai == b[bOff + j - 1] ? 0 : 1);
                int del = prev[j] + 1;
                int ins = cur[j - 1] + 1;
                cur[j] = Math.min(sub, Math.min(del, ins));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[lb];
    }

    /** Levenshtein distance between two word sequences (words compared exactly, case-sensitive). */
    public static int levenshtein(List<String> a, List<String> b) {
        Map<String, Integer> ids = new HashMap<>();
        return levenshtein(intern(a, ids), intern(b, ids));
    }

    private static int[] intern(List<String> words, Map<String, Integer> ids) {
        int[] out = new int[words.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.computeIfAbsent(words.get(i), k -> ids.size());
        }
        return out;
    }
}
