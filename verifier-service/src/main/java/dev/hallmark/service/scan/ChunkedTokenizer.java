package dev.hallmark.service.scan;

import dev.hallmark.service.Problem;
import dev.hallmark.text.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;

/**
 * Tokenization in bounded memory. The native tokenizer's memory grows with the length of the string
 * it is given (about 130 bytes per character: one 50 MB document took 6.8 GB), so a text longer
 * than {@value #CHUNK_CHARS} characters is cut into pieces of about that size, the pieces are encoded
 * a few at a time ({@value #GROUP_CHARS} characters per native call) and their ids concatenated.
 *
 * <p>The ids are exactly those of encoding the whole text, because the text is only cut where the
 * tokenizer itself always splits: byte-level BPE tokenizers with the GPT-4 style pre-tokenizer
 * (Qwen, Llama 3, ...) never merge across these places, and their NFC normaliser never composes
 * across them:
 * <ul>
 *   <li>before a space {@code ' '} that follows a non-whitespace character (no pre-token ends in a
 *       space, and a run of whitespace can only start at whitespace);
 *   <li>before a line break {@code '\n'} that follows a letter or a decimal digit (punctuation
 *       takes the line breaks after it into its pre-token, letters and digits do not);
 *   <li>before a punctuation character that follows a letter and precedes a letter (the letter run
 *       ends; the punctuation starts the next letter run's pre-token): CJK text without spaces.
 * </ul>
 * No added (special) token of the tokenizer may contain whitespace or such a punctuation-between-
 * letters (checked at start by {@link #selfCheck}, which also compares a chunked encoding with the
 * whole one on a probe text; a tokenizer that fails it is used whole, and then documents longer than
 * {@value #CHUNK_CHARS} characters are refused). A text with no cut point within {@value #MAX_RUN}
 * characters is refused with a problem naming it. Thread-safe.
 */
public final class ChunkedTokenizer {

    private static final Logger LOG = Logger.getLogger(ChunkedTokenizer.class.getName());

    /** Target piece length (a piece ends at the last cut point before this length, if there is one past half of it). */
    static final int CHUNK_CHARS = 1 << 18;
    /** Characters of pieces encoded in one native call. */
    static final int GROUP_CHARS = 1 << 20;
    /** The longest stretch without a cut point that is accepted. */
    static final int MAX_RUN = 1 << 20;

    private final TextTokenizer tokenizer;
    private final boolean chunking;

    private ChunkedTokenizer(TextTokenizer tokenizer, boolean chunking) {
        this.tokenizer = tokenizer;
        this.chunking = chunking;
    }

    /** Wraps {@code tokenizer}, after checking on a probe text that cutting gives the whole text's ids. */
    public static ChunkedTokenizer of(TextTokenizer tokenizer) {
        boolean ok = selfCheck(tokenizer);
        if (!ok) {
            LOG.warning("tokenizer " + tokenizer.path() + " does not keep its ids when text is cut at spaces and line "
                    + "breaks: texts are tokenized whole, and documents over " + CHUNK_CHARS + " characters are refused");
        }
        return new ChunkedTokenizer(tokenizer, ok);
    }

    /** The wrapped tokenizer. */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Whether long texts are cut (the self-check passed). */
    public boolean chunking() {
        return chunking;
    }

    /** Ids of many texts: short ones in one native call, long ones piece by piece. */
    public int[][] encodeBatch(List<String> texts) {
        int[][] out = new int[texts.size()][];
        List<String> shortTexts = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            if (t.length() > CHUNK_CHARS) {
                out[i] = encode(t);
            } else {
                shortTexts.add(t);
                at.add(i);
            }
        }
        if (!shortTexts.isEmpty()) {
            int[][] enc = tokenizer.encodeBatch(shortTexts);
            for (int j = 0; j < enc.length; j++) {
                out[at.get(j)] = enc[j];
            }
        }
        return out;
    }

    /**
     * Ids of one text.
     *
     * @throws Problem payload-too-large if the text is long and has a stretch of more than
     *     {@value #MAX_RUN} characters without a cut point, or if it is long and the tokenizer
     *     cannot be cut
     */
    public int[] encode(String text) {
        return encode(text, CHUNK_CHARS, GROUP_CHARS);
    }

    /** {@link #encode(String)} with other piece sizes (tests cut much finer to find any difference). */
    int[] encode(String text, int chunkChars, int groupChars) {
        if (text.length() <= chunkChars) {
            return tokenizer.encode(text);
        }
        if (!chunking) {
            throw Problem.tooLarge("a text of " + text.length() + " characters is longer than the " + chunkChars
                    + " this service tokenizes in one piece, and its tokenizer cannot be cut safely");
        }
        int[] cuts = cuts(text, chunkChars, Math.max(MAX_RUN, 4 * chunkChars));
        int[] ids = new int[Math.max(16, text.length() / 3)];
        int n = 0;
        List<String> group = new ArrayList<>();
        int groupLimit = groupChars;
        groupChars = 0;
        for (int c = 0; c + 1 < cuts.length; c++) {
            String piece = text.substring(cuts[c], cuts[c + 1]);
            group.add(piece);
            groupChars += piece.length();
            if (groupChars >= groupLimit || c + 2 == cuts.length) {
                for (int[] part : tokenizer.encodeBatch(group)) {
                    if (n + part.length > ids.length) {
                        ids = Arrays.copyOf(ids, Math.max(n + part.length, ids.length + (ids.length >> 1)));
                    }
                    System.arraycopy(part, 0, ids, n, part.length);
                    n += part.length;
                }
                group.clear();
                groupChars = 0;
            }
        }
        return n == ids.length ? ids : Arrays.copyOf(ids, n);
    }

    /**
     * The cut positions of a text: 0, the places where it is cut, and its length; every piece at
     * most {@value #MAX_RUN} characters, most about {@value #CHUNK_CHARS}.
     *
     * @throws Problem payload-too-large naming the offset, when a stretch has no cut point
     */
    static int[] cuts(CharSequence text) {
        return cuts(text, CHUNK_CHARS, MAX_RUN);
    }

    static int[] cuts(CharSequence text, int chunkChars, int maxRun) {
        List<Integer> out = new ArrayList<>();
        out.add(0);
        int start = 0;
        int len = text.length();
        while (len - start > chunkChars) {
            int cut = -1;
            for (int i = start + chunkChars; i > start + chunkChars / 2; i--) {
                if (cutAt(text, i)) {
                    cut = i;
                    break;
                }
            }
            for (int i = start + chunkChars + 1; cut < 0 && i < Math.min(len, start + maxRun); i++) {
                if (cutAt(text, i)) {
                    cut = i;
                }
            }
            if (cut < 0) {
                if (len - start <= maxRun) {
                    break;
                }
                int from = start + chunkChars / 2;
                throw Problem.tooLarge("the text has no space, line break after a letter or digit, or punctuation "
                        + "between letters from character " + from + " to " + (start + maxRun) + ": it cannot be "
                        + "tokenized in bounded memory (split it into shorter documents)").with("offset", from);
            }
            out.add(cut);
            start = cut;
        }
        out.add(len);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether the tokenizer always splits between {@code text[i-1]} and {@code text[i]} (see the class comment). */
    static boolean cutAt(CharSequence text, int i) {
        if (i <= 0 || i >= text.length()) {
            return false;
        }
        char prev = text.charAt(i - 1);
        char c = text.charAt(i);
        if (c == ' ') {
            return !unicodeSpace(prev);
        }
        if (c == '\n') {
            return !Character.isSurrogate(prev) && Character.isLetterOrDigit(prev);
        }
        if (i + 1 < text.length() && punctuation(c) && c != '\'') {
            char next = text.charAt(i + 1);
            return !Character.isSurrogate(prev) && Character.isLetter(prev)
                    && !Character.isSurrogate(next) && Character.isLetter(next);
        }
        return false;
    }

    /** Unicode White_Space as the tokenizer's {@code \s} sees it (Java's isWhitespace misses no-break spaces). */
    private static boolean unicodeSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private static boolean punctuation(char c) {
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** A fixed probe of every cut kind and neighbours that must not be cut; encoded whole and in minimal pieces. */
    static final String PROBE = "The quick brown fox, isn't it? 12 34\nNew line after word\nAfter 42\n"
            + "Tab\tand  double  spaces. End.\nPunct line!\n\n中文句子。中文句子，继续！Über café naïve e\u0301 "
            + "<|endoftext|> <think>x</think> a\u00a0 b 'tis don't  \r\nCRLF\r\n emoji \uD83D\uDE00 done";

    static boolean selfCheck(TextTokenizer tok) {
        int[] whole = tok.encode(PROBE);
        List<String> pieces = new ArrayList<>();
        int last = 0;
        for (int i = 1; i < PROBE.length(); i++) {
            if (cutAt(PROBE, i)) {
                pieces.add(PROBE.substring(last, i));
                last = i;
            }
        }
        pieces.add(PROBE.substring(last));
        int[][] enc = tok.encodeBatch(pieces);
        int[] joined = Arrays.stream(enc).flatMapToInt(Arrays::stream).toArray();
        return pieces.size() > 10 && Arrays.equals(whole, joined);
    }
}
