package dev.hallmark.tools.attack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A reader of the WordNet 3.0 database files (Princeton's {@code index.*}, {@code data.*} and
 * {@code *.exc}, as installed by Debian's {@code wordnet-base} under {@code /usr/share/wordnet}),
 * and the conservative synonym lookup the synonym attack uses.
 *
 * <p>File formats (WordNet's {@code wndb(5)}): an {@code index.POS} line is
 * {@code lemma pos synset_cnt p_cnt [ptr_symbol]{p_cnt} sense_cnt tagsense_cnt synset_offset{synset_cnt}},
 * with the offsets in decreasing order of sense frequency; a {@code data.POS} line starts at the
 * byte offset that names it and reads {@code offset lex_filenum ss_type w_cnt(hex) [word lex_id]{w_cnt} ...};
 * an {@code *.exc} line is {@code inflected_form base_form...}. Header lines start with spaces.
 * The data files are read into memory and synset lines parsed on demand.
 *
 * <p>{@link #synonyms(String)} keeps morphology sane by refusing anything it cannot vouch for:
 * <ol>
 *   <li>the word (lower-cased) must itself be a lemma, at least 3 letters, and not a function word;
 *   <li>it must not be a possible inflected form: not listed in any exception file, and no
 *       WordNet "morphy" detachment rule (e.g. noun {@code -s}, verb {@code -ing}, adjective
 *       {@code -er}) turns it into a different lemma of that part of speech;
 *   <li>its part of speech is taken as the one where it has the most sense-tagged occurrences
 *       ({@code tagsense_cnt}; ties: noun, verb, adjective, adverb);
 *   <li>synonyms are the other lemmas of its most frequent sense (the first synset) that are
 *       single lower-case words of letters only (no collocations, hyphens or proper nouns) and
 *       are themselves in common use: at least one sense-tagged occurrence in that part of speech
 *       ({@code tagsense_cnt > 0}), which drops rare and technical words.
 * </ol>
 * Instances are immutable after loading and thread-safe.
 */
public final class WordNet {

    /** The Debian location of the database. */
    public static final Path DEBIAN_PATH = Path.of("/usr/share/wordnet");

    /** Parts of speech, in tie-break order. */
    public enum Pos {
        NOUN("noun"), VERB("verb"), ADJ("adj"), ADV("adv");

        final String file;

        Pos(String file) {
            this.file = file;
        }
    }

    private record IndexEntry(int tagsenseCount, long[] offsets) {
    }

    // Morphy's detachment rules (WordNet morph.c): suffix -> replacement, per part of speech.
    private static final Map<Pos, String[][]> DETACH = Map.of(
            Pos.NOUN, new String[][] {{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"},
                {"shes", "sh"}, {"men", "man"}, {"ies", "y"}},
            Pos.VERB, new String[][] {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""},
                {"ing", "e"}, {"ing", ""}},
            Pos.ADJ, new String[][] {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}},
            Pos.ADV, new String[][] {});

    /** Function words: never substituted (WordNet lists some of them, e.g. "be", "will", "can"). */
    private static final Set<String> STOP = Set.of(("a an the and or but nor so yet for of to in on at by with from "
            + "into onto upon over under about above below after before between through during without within "
            + "against among across behind beyond toward towards unto i me my mine we us our ours you your yours "
            + "thou thee thy thine ye he him his she her hers it its they them their theirs this that these those "
            + "who whom whose which what where when why how all any both each few more most other some such no "
            + "not only own same than too very can will just should now be am is are was were been being have "
            + "has had having do does did doing shall may might must would could one ones there here then also "
            + "let lo yea nay well still even ever never again once off out up down").split(" "));

    private final Map<Pos, Map<String, IndexEntry>> index = new EnumMap<>(Pos.class);
    private final Map<Pos, byte[]> data = new EnumMap<>(Pos.class);
    private final Set<String> exceptions = new HashSet<>();
    private final Path dir;
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    private WordNet(Path dir) {
        this.dir = dir;
    }

    /**
     * Loads the database from {@code dir} (the directory holding {@code index.noun}, {@code data.noun},
     * ...).
     *
     * @throws UncheckedIOException naming the directory and how to install it, when files are missing
     */
    public static WordNet load(Path dir) {
        WordNet wn = new WordNet(dir);
        try {
            for (Pos p : Pos.values()) {
                Path idx = dir.resolve("index." + p.file);
                Path dat = dir.resolve("data." + p.file);
                if (!Files.isRegularFile(idx) || !Files.isRegularFile(dat)) {
                    throw new IOException("WordNet database not found: " + idx + " or " + dat + " is missing "
                            + "(install the Debian package wordnet-base, or pass the directory holding WordNet 3.0's "
                            + "index.* and data.* files)");
                }
                wn.index.put(p, readIndex(idx));
                wn.data.put(p, Files.readAllBytes(dat));
                Path exc = dir.resolve(p.file + ".exc");
                if (Files.isRegularFile(exc)) {
                    readExceptions(exc, wn.exceptions);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        return wn;
    }

    /** Loads from {@code HALLMARK_WORDNET} if set, else {@link #DEBIAN_PATH}. */
    public static WordNet loadDefault() {
        String env = System.getenv("HALLMARK_WORDNET");
        return load(env == null || env.isBlank() ? DEBIAN_PATH : Path.of(env));
    }

    public Path directory() {
        return dir;
    }

    private static Map<String, IndexEntry> readIndex(Path file) throws IOException {
        Map<String, IndexEntry> map = new HashMap<>(1 << 17);
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isEmpty() || line.charAt(0) == ' ') {
                    continue; // licence header
                }
                String[] f = line.trim().split(" ");
                try {
                    int synsetCount = Integer.parseInt(f[2]);
                    int pointerCount = Integer.parseInt(f[3]);
                    int at = 4 + pointerCount;
                    int tagsense = Integer.parseInt(f[at + 1]);
                    long[] offsets = new long[synsetCount];
                    for (int i = 0; i < synsetCount; i++) {
                        offsets[i] = Long.parseLong(f[at + 2 + i]);
                    }
                    map.put(f[0], new IndexEntry(tagsense, offsets));
                } catch (RuntimeException e) {
                    throw new IOException(file + " line " + no + ": not a WordNet index line", e);
                }
            }
        }
        return map;
    }

    private static void readExceptions(Path file, Set<String> out) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = r.readLine()) != null) {
                int sp = line.indexOf(' ');
                if (sp > 0) {
                    String inflected = line.substring(0, sp);
                    String[] bases = line.substring(sp + 1).trim().split(" ");
                    // "inflected base" lines where the form equals its base are not inflections
                    boolean differs = false;
                    for (String b : bases) {
                        differs |= !b.equals(inflected);
                    }
                    if (differs) {
                        out.add(inflected);
                    }
                }
            }
        }
    }

    /** Whether {@code lemma} (lower case, underscores for spaces) is in the index of {@code pos}. */
    public boolean isLemma(String lemma, Pos pos) {
        return index.get(pos).containsKey(lemma);
    }

    /**
     * The lemmas of the synset at {@code offset} in {@code data.POS}, as written there (underscores
     * for spaces; adjective position markers such as {@code (a)} removed).
     */
    public List<String> synsetWords(Pos pos, long offset) {
        byte[] b = data.get(pos);
        if (offset < 0 || offset >= b.length) {
            throw new IllegalArgumentException("synset offset " + offset + " is outside data." + pos.file);
        }
        int start = (int) offset;
        int end = start;
        while (end < b.length && b[end] != '\n') {
            end++;
        }
        String line = new String(b, start, end - start, StandardCharsets.US_ASCII);
        String[] f = line.split(" ");
        if (f.length < 4 || Long.parseLong(f[0]) != offset) {
            throw new IllegalStateException("data." + pos.file + " is inconsistent: no synset line at offset " + offset);
        }
        int count = Integer.parseInt(f[3], 16);
        List<String> words = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String w = f[4 + 2 * i];
            int paren = w.indexOf('(');
            words.add(paren > 0 ? w.substring(0, paren) : w);
        }
        return words;
    }

    /**
     * Whether {@code word} could be an inflected form: listed in an exception file, or turned into a
     * different lemma by one of morphy's detachment rules.
     */
    public boolean possiblyInflected(String word) {
        if (exceptions.contains(word)) {
            return true;
        }
        for (Map.Entry<Pos, String[][]> e : DETACH.entrySet()) {
            for (String[] rule : e.getValue()) {
                if (word.length() > rule[0].length() + 1 && word.endsWith(rule[0])) {
                    String base = word.substring(0, word.length() - rule[0].length()) + rule[1];
                    if (!base.equals(word) && isLemma(base, e.getKey())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The part of speech {@code lemma} is most often tagged with, or {@code null} if it is no lemma.
     */
    public Pos likelyPos(String lemma) {
        Pos best = null;
        int bestCount = -1;
        for (Pos p : Pos.values()) {
            IndexEntry e = index.get(p).get(lemma);
            if (e != null && e.tagsenseCount > bestCount) {
                best = p;
                bestCount = e.tagsenseCount;
            }
        }
        return best;
    }

    /**
     * Single-word synonyms of {@code word} that can replace it without re-inflection (see the class
     * comment for the rules), in WordNet's order; empty when the word is not eligible.
     *
     * @param word a word in lower case
     */
    public List<String> synonyms(String word) {
        return cache.computeIfAbsent(word, this::computeSynonyms);
    }

    private List<String> computeSynonyms(String word) {
        if (word.length() < 3 || STOP.contains(word) || !isLetters(word) || possiblyInflected(word)) {
            return List.of();
        }
        Pos pos = likelyPos(word);
        if (pos == null) {
            return List.of();
        }
        long first = index.get(pos).get(word).offsets[0];
        List<String> out = new ArrayList<>();
        for (String w : synsetWords(pos, first)) {
            IndexEntry e = index.get(pos).get(w);
            if (!w.equals(word) && w.length() >= 2 && isLetters(w) && w.equals(w.toLowerCase(Locale.ROOT))
                    && e != null && e.tagsenseCount > 0 && !out.contains(w)) {
                out.add(w);
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static boolean isLetters(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 'a' || c > 'z') {
                if (c < 'A' || c > 'Z') {
                    return false;
                }
            }
        }
        return !s.isEmpty();
    }
}
