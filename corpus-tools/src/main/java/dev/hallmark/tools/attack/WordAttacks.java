package dev.hallmark.tools.attack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Word-level attacks. Each works on the words of {@link Words} and keeps every separator, so the
 * only changes are the ones counted. Unless said otherwise a strength r asks for a fraction r of
 * all words to change: when only E of the W words are eligible for an attack, each eligible word
 * is changed with probability min(1, r W / E) (so the expected changed fraction is r while
 * r W <= E, and all eligible words change beyond that; the counts {@code eligible} and the
 * measured edit rate show which case happened).
 *
 * <ul>
 *   <li>{@code synonym}: WordNet synonym substitution ({@link WordNet#synonyms}); a word is
 *       eligible when WordNet offers a synonym, and it is not capitalised in mid-sentence (likely a
 *       proper noun). Capitalisation is carried over (lower, Capitalised, UPPER).
 *   <li>{@code swap}: adjacent words swap places (separators stay). Left to right, each word
 *       starts a swap with its right neighbour with probability q = r / (2 - r) and the pair is then
 *       skipped; a swap moves 2 words and a fraction 2q / (1 + q) = r of words is moved on average.
 *       Swapping two equal words changes nothing and is not counted as a change by the measured
 *       edit rate.
 *   <li>{@code typo}: one keyboard typo in a word of letters: a QWERTY-adjacent key for a letter,
 *       a transposition of two different adjacent letters, a dropped letter (words of 2+ letters),
 *       or a doubled letter, chosen uniformly among those possible for the word.
 *   <li>{@code misspell}: one common spelling error from a fixed list of rules (ie/ei, -ance/-ence,
 *       -able/-ible, doubled consonants single, ph to f, ...); eligible when a rule matches.
 *   <li>{@code case}: the word's case is changed to another of lower, Capitalised, UPPER
 *       (uniformly among those that differ from the word); eligible when it has a letter and such a
 *       change exists.
 *   <li>{@code contraction}: contractions and their expansions toggle ({@code do not} to
 *       {@code don't} and back, {@code it is} / {@code it's}, {@code I am} / {@code I'm}, ...). Here
 *       r is the probability per <em>site</em> (an expansion pair or a contraction in the text),
 *       since sites are rare; a toggle changes 2 words of the word-level edit distance.
 * </ul>
 */
final class WordAttacks {

    private WordAttacks() {
    }

    static WordAttack synonym(double rate, WordNet wordNet) {
        return new Synonym(rate, Objects.requireNonNull(wordNet, "wordNet"));
    }

    static WordAttack swap(double rate) {
        return new Swap(rate);
    }

    static WordAttack typo(double rate) {
        return new Typo(rate);
    }

    static WordAttack misspell(double rate) {
        return new Misspell(rate);
    }

    static WordAttack changeCase(double rate) {
        return new ChangeCase(rate);
    }

    static WordAttack contraction(double rate) {
        return new Contraction(rate);
    }

    // ---------------------------------------------------------------- case patterns

    enum Case { LOWER, CAPITALISED, UPPER, MIXED, NONE }

    static Case caseOf(String w) {
        int letters = 0;
        int upper = 0;
        boolean firstUpper = false;
        boolean restLower = true;
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (Character.isLetter(c)) {
                boolean u = Character.isUpperCase(c);
                if (letters == 0) {
                    firstUpper = u;
                } else if (u) {
                    restLower = false;
                }
                letters++;
                if (u) {
                    upper++;
                }
            }
        }
        if (letters == 0) {
            return Case.NONE;
        }
        if (upper == 0) {
            return Case.LOWER;
        }
        if (firstUpper && restLower) {
            return Case.CAPITALISED; // includes single capitals such as "I"
        }
        return upper == letters ? Case.UPPER : Case.MIXED;
    }

    static String withCase(String lower, Case c) {
        return switch (c) {
            case UPPER -> lower.toUpperCase(Locale.ROOT);
            case CAPITALISED -> capitalise(lower);
            default -> lower;
        };
    }

    static String capitalise(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    /** Probability per eligible unit so that the expected changed fraction of all words is {@code rate}. */
    static double perEligible(double rate, int words, int eligible) {
        return eligible == 0 ? 0 : Math.min(1.0, rate * words / eligible);
    }

    /** Applies {@code edit} to each eligible word with the adjusted probability. */
    private static Map<String, Long> rewrite(Words w, double rate, RandomGenerator random,
            java.util.function.IntPredicate eligible, java.util.function.IntFunction<String> edit, String verb) {
        List<Integer> el = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
            if (eligible.test(i)) {
                el.add(i);
            }
        }
        double q = perEligible(rate, w.size(), el.size());
        long changed = 0;
        for (int i : el) {
            if (random.nextDouble() < q) {
                w.set(i, edit.apply(i));
                changed++;
            }
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("words", (long) w.size());
        m.put("eligible", (long) el.size());
        m.put(verb, changed);
        return m;
    }

    // ---------------------------------------------------------------- synonym

    private record Synonym(double strength, WordNet wordNet) implements WordAttack {
        @Override
        public String kind() {
            return "synonym";
        }

        @Override
        public Changed<String> apply(String text, RandomGenerator random) {
            Words w = Words.of(text);
            Map<String, Long> m = rewrite(w, strength, random, i -> {
                String word = w.word(i);
                Case c = caseOf(word);
                if (c == Case.MIXED || c == Case.NONE || c == Case.CAPITALISED && !w.startsSentence(i)) {
                    return false;
                }
                return !wordNet.synonyms(word.toLowerCase(Locale.ROOT)).isEmpty();
            }, i -> {
                String word = w.word(i);
                List<String> syn = wordNet.synonyms(word.toLowerCase(Locale.ROOT));
                return withCase(syn.get(random.nextInt(syn.size())), caseOf(word));
            }, "replaced");
            return new Changed<>(w.text(), m);
        }
    }

    // ---------------------------------------------------------------- swap

    private record Swap(double strength) implements WordAttack {
        @Override
        public String kind() {
            return "swap";
        }

        @Override
        public Changed<String> apply(String text, RandomGenerator random) {
            Words w = Words.of(text);
            double q = strength / (2 - strength);
            long swaps = 0;
            for (int i = 0; i + 1 < w.size(); i++) {
                if (random.nextDouble() < q) {
                    String a = w.word(i);
                    w.set(i, w.word(i + 1));
                    w.set(i + 1, a);
                    swaps++;
                    i++;
                }
            }
            return new Changed<>(w.text(), Map.of("words", (long) w.size(), "swaps", swaps));
        }
    }

    // ---------------------------------------------------------------- typo

    private static final Map<Character, String> QWERTY_NEIGHBOURS = new HashMap<>();

    static {
        String[] rows = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < rows[r].length(); c++) {
                StringBuilder sb = new StringBuilder();
                for (int dr = -1; dr <= 1; dr++) {
                    int rr = r + dr;
                    if (rr < 0 || rr >= rows.length) {
                        continue;
                    }
                    // rows are staggered by about half a key: neighbours above are at c and c+1,
                    // below at c-1 and c; on the same row c-1 and c+1
                    int[] cols = dr == 0 ? new int[] {c - 1, c + 1} : dr < 0 ? new int[] {c, c + 1} : new int[] {c - 1, c};
                    for (int cc : cols) {
                        if (cc >= 0 && cc < rows[rr].length()) {
                            sb.append(rows[rr].charAt(cc));
                        }
                    }
                }
                QWERTY_NEIGHBOURS.put(rows[r].charAt(c), sb.toString());
            }
        }
    }

    /** The QWERTY keys next to a lower-case letter (empty for other characters). */
    static String neighbours(char lower) {
        return QWERTY_NEIGHBOURS.getOrDefault(lower, "");
    }

    private static boolean asciiLetters(String w) {
        if (w.isEmpty()) {
            return false;
        }
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    private record Typo(double strength) implements WordAttack {
        @Override
        public String kind() {
            return "typo";
        }

        @Override
        public Changed<String> apply(String text, RandomGenerator random) {
            Words w = Words.of(text);
            long[] ops = new long[4];
            Map<String, Long> m = rewrite(w, strength, random, i -> asciiLetters(w.word(i)),
                    i -> typo(w.word(i), random, ops), "changed");
            m.put("adjacent_key", ops[0]);
            m.put("transposed", ops[1]);
            m.put("dropped", ops[2]);
            m.put("doubled", ops[3]);
            return new Changed<>(w.text(), m);
        }

        static String typo(String word, RandomGenerator random, long[] ops) {
            int n = word.length();
            List<Integer> transposable = new ArrayList<>();
            for (int i = 0; i + 1 < n; i++) {
                if (Character.toLowerCase(word.charAt(i)) != Character.toLowerCase(word.charAt(i + 1))) {
                    transposable.add(i);
                }
            }
            // ops possible for this word: 0 adjacent key, 1 transposition, 2 drop, 3 doubling
            int[] possible = new int[4];
            int k = 0;
            possible[k++] = 0;
            if (!transposable.isEmpty()) {
                possible[k++] = 1;
            }
            if (n >= 2) {
                possible[k++] = 2;
            }
            possible[k++] = 3;
            int op = possible[random.nextInt(k)];
            ops[op]++;
            StringBuilder sb = new StringBuilder(word);
            switch (op) {
                case 0 -> {
                    int i = random.nextInt(n);
                    char c = word.charAt(i);
                    String nb = neighbours(Character.toLowerCase(c));
                    char r = nb.charAt(random.nextInt(nb.length()));
                    sb.setCharAt(i, Character.isUpperCase(c) ? Character.toUpperCase(r) : r);
                }
                case 1 -> {
                    int i = transposable.get(random.nextInt(transposable.size()));
                    sb.setCharAt(i, word.charAt(i + 1));
                    sb.setCharAt(i + 1, word.charAt(i));
                }
                case 2 -> sb.deleteCharAt(random.nextInt(n));
                default -> {
                    int i = random.nextInt(n);
                    sb.insert(i, word.charAt(i));
                }
            }
            return sb.toString();
        }
    }

    // ---------------------------------------------------------------- misspell

    /** Common spelling errors: pattern -> replacement; a trailing '$' anchors at the word end. */
    private static final String[][] MISSPELLINGS = {
        {"ie", "ei"}, {"ei", "ie"}, {"ance$", "ence"}, {"ence$", "ance"}, {"ant$", "ent"}, {"ent$", "ant"},
        {"able$", "ible"}, {"ible$", "able"}, {"ise$", "ize"}, {"ize$", "ise"}, {"ous$", "us"}, {"ph", "f"},
        {"ck", "k"}, {"wh", "w"}, {"ss", "s"}, {"ll", "l"}, {"tt", "t"}, {"rr", "r"}, {"mm", "m"}, {"nn", "n"},
        {"pp", "p"}, {"cc", "c"}, {"ff", "f"}, {"dd", "d"}, {"ght", "gt"},
        {"tion$", "sion"}, {"sion$", "tion"}, {"ery$", "ary"}, {"ary$", "ery"}, {"our$", "or"}, {"or$", "our"},
    };

    /** The (rule, position) pairs that apply to a lower-case word. */
    static List<int[]> misspellingSites(String lower) {
        List<int[]> sites = new ArrayList<>();
        for (int r = 0; r < MISSPELLINGS.length; r++) {
            String pat = MISSPELLINGS[r][0];
            boolean anchored = pat.endsWith("$");
            String p = anchored ? pat.substring(0, pat.length() - 1) : pat;
            if (anchored) {
                if (lower.length() > p.length() + 1 && lower.endsWith(p)) {
                    sites.add(new int[] {r, lower.length() - p.length()});
                }
            } else {
                for (int at = lower.indexOf(p); at >= 0; at = lower.indexOf(p, at + 1)) {
                    sites.add(new int[] {r, at});
                }
            }
        }
        return sites;
    }

    private record Misspell(double strength) implements WordAttack {
        @Override
        public String kind() {
            return "misspell";
        }

        @Override
        public Changed<String> apply(String text, RandomGenerator random) {
            Words w = Words.of(text);
            Map<String, Long> m = rewrite(w, strength, random, i -> {
                String word = w.word(i);
                Case c = caseOf(word);
                return word.length() >= 3 && asciiLetters(word) && c != Case.MIXED
                        && !misspellingSites(word.toLowerCase(Locale.ROOT)).isEmpty();
            }, i -> {
                String word = w.word(i);
                String lower = word.toLowerCase(Locale.ROOT);
                List<int[]> sites = misspellingSites(lower);
                int[] s = sites.get(random.nextInt(sites.size()));
                String pat = MISSPELLINGS[s[0]][0].replace("$", "");
                String out = lower.substring(0, s[1]) + MISSPELLINGS[s[0]][1] + lower.substring(s[1] + pat.length());
                return withCase(out, caseOf(word));
            }, "changed");
            return new Changed<>(w.text(), m);
        }
    }

    // ---------------------------------------------------------------- case

    private record ChangeCase(double strength) implements WordAttack {
        @Override
        public String kind() {
            return "case";
        }

        @Override
        public Changed<String> apply(String text, RandomGenerator random) {
            Words w = Words.of(text);
            Map<String, Long> m = rewrite(w, strength, random, i -> !alternatives(w.word(i)).isEmpty(), i -> {
                List<String> alt = alternatives(w.word(i));
                return alt.get(random.nextInt(alt.size()));
            }, "changed");
            return new Changed<>(w.text(), m);
        }

        static List<String> alternatives(String word) {
            if (caseOf(word) == Case.NONE) {
                return List.of();
            }
            String lower = word.toLowerCase(Locale.ROOT);
            List<String> out = new ArrayList<>(3);
            for (String s : new String[] {lower, capitalise(lower), word.toUpperCase(Locale.ROOT)}) {
                if (!s.equals(word) && !out.contains(s)) {
                    out.add(s);
                }
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- contractions

    /** Expansion (two lower-case words, or one) -> contraction with {@code '}. */
    private static final String[][] CONTRACTIONS = {
        {"do not", "don't"}, {"does not", "doesn't"}, {"did not", "didn't"}, {"is not", "isn't"},
        {"are not", "aren't"}, {"was not", "wasn't"}, {"were not", "weren't"}, {"have not", "haven't"},
        {"has not", "hasn't"}, {"had not", "hadn't"}, {"will not", "won't"}, {"would not", "wouldn't"},
        {"shall not", "shan't"}, {"should not", "shouldn't"}, {"could not", "couldn't"}, {"must not", "mustn't"},
        {"cannot", "can't"}, {"need not", "needn't"}, {"i am", "i'm"}, {"you are", "you're"},
        {"we are", "we're"}, {"they are", "they're"}, {"it is", "it's"}, {"that is", "that's"},
        {"there is", "there's"}, {"he is", "he's"}, {"she is", "she's"}, {"what is", "what's"},
        {"who is", "who's"}, {"i will", "i'll"}, {"you will", "you'll"}, {"we will", "we'll"},
        {"they will", "they'll"}, {"he will", "he'll"}, {"she will", "she'll"}, {"it will", "it'll"},
        {"i have", "i've"}, {"you have", "you've"}, {"we have", "we've"}, {"they have", "they've"},
        {"let us", "let's"}, {"i would", "i'd"}, {"you would", "you'd"}, {"we would", "we'd"},
        {"they would", "they'd"},
    };
    private static final Map<String, String> CONTRACT = new HashMap<>();
    private static final Map<String, String> EXPAND = new HashMap<>();

    static {
        for (String[] c : CONTRACTIONS) {
            CONTRACT.put(c[0], c[1]);
            EXPAND.put(c[1], c[0]);
        }
    }

    private record Contraction(double strength) implements WordAttack {
        @Override
        public String kind() {
            return "contraction";
        }

        @Override
        public Changed<String> apply(String text, RandomGenerator random) {
            Words w = Words.of(text);
            String apostrophe = text.indexOf('’') >= 0 && text.indexOf('\'') < 0 ? "’" : "'";
            long sites = 0;
            long contracted = 0;
            long expanded = 0;
            for (int i = 0; i < w.size(); i++) {
                String word = w.word(i);
                Case c = caseOf(word);
                if (c == Case.MIXED) {
                    continue;
                }
                String lower = word.toLowerCase(Locale.ROOT).replace('’', '\'');
                String exp = EXPAND.get(lower);
                String one = CONTRACT.get(lower);
                String two = null;
                if (exp == null && one == null && i + 1 < w.size() && w.separatorBefore(i + 1).equals(" ")
                        && caseOf(w.word(i + 1)) != Case.MIXED) {
                    two = CONTRACT.get(lower + " " + w.word(i + 1).toLowerCase(Locale.ROOT));
                }
                if (exp == null && one == null && two == null) {
                    continue;
                }
                sites++;
                boolean go = random.nextDouble() < strength;
                if (exp != null) {
                    if (go) {
                        w.set(i, casedLike(exp, word));
                        expanded++;
                    }
                } else if (one != null) {
                    if (go) {
                        w.set(i, casedLike(one, word).replace("'", apostrophe));
                        contracted++;
                    }
                } else {
                    if (go) {
                        w.set(i, casedLike(two, word).replace("'", apostrophe));
                        w.setSeparatorBefore(i + 1, "");
                        w.set(i + 1, "");
                        contracted++;
                    }
                    i++;
                }
            }
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("words", (long) w.size());
            m.put("sites", sites);
            m.put("contracted", contracted);
            m.put("expanded", expanded);
            return new Changed<>(w.text(), m);
        }

        private static String casedLike(String lower, String original) {
            Case c = caseOf(original);
            String s = withCase(lower, c == Case.UPPER && original.length() > 1 ? Case.UPPER
                    : c == Case.LOWER ? Case.LOWER : Case.CAPITALISED);
            // "i" stays a capital pronoun wherever it ends up
            if (s.startsWith("i ") || s.startsWith("i'")) {
                s = "I" + s.substring(1);
            }
            return s;
        }
    }
}
