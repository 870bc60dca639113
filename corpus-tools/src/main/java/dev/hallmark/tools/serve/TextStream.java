package dev.hallmark.tools.serve;

import dev.hallmark.generate.Generator;
import java.util.List;

/**
 * Turns a sequence's tokens into text as they come, for streaming and for stop strings.
 *
 * <p>Tokens not yet shown are decoded together and shown once their text does not end in U+FFFD
 * (a byte-level BPE token can hold part of a UTF-8 character), so every piece is whole text and
 * the pieces add up to the completion. With stop strings, the completion ends just before the
 * first occurrence of any of them (the stop string is not part of the text, as in OpenAI's API),
 * and text that could be the start of a stop string is held back until it is known not to be.
 */
final class TextStream {

    private final Generator.Decoder decoder;
    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    private int shown;
    private int decodedTokens;
    private boolean stopped;

    TextStream(Generator.Decoder decoder, List<String> stops) {
        this.decoder = decoder;
        this.stops = stops;
    }

    /**
     * Takes the completion's tokens {@code ids[from .. from + n)} (the newest last) and returns the
     * text that can be shown now (maybe empty).
     */
    String update(int[] ids, int from, int n) {
        if (stopped) {
            return "";
        }
        decodeTail(ids, from, n, false);
        return showable(false);
    }

    /** At the end of the sequence: the text not shown yet, including an unfinished character. */
    String finish(int[] ids, int from, int n) {
        if (!stopped) {
            decodeTail(ids, from, n, true);
        }
        return showable(true);
    }

    /** Whether a stop string ended the completion. */
    boolean stopped() {
        return stopped;
    }

    /** The completion text so far (after a stop: up to the stop string). */
    String text() {
        return text.toString();
    }

    private void decodeTail(int[] ids, int from, int n, boolean last) {
        if (n <= decodedTokens) {
            return;
        }
        String piece = decoder.decode(ids, from + decodedTokens, n - decodedTokens);
        if (!last && piece.endsWith("\uFFFD")) {
            return; // wait for the rest of the character
        }
        int before = text.length();
        text.append(piece);
        decodedTokens = n;
        if (!stops.isEmpty()) {
            int maxStop = 0;
            for (String s : stops) {
                maxStop = Math.max(maxStop, s.length());
            }
            int fromChar = Math.max(0, before - maxStop + 1);
            int cut = -1;
            for (String s : stops) {
                int at = text.indexOf(s, fromChar);
                if (at >= 0 && (cut < 0 || at < cut)) {
                    cut = at;
                }
            }
            if (cut >= 0) {
                text.setLength(cut);
                stopped = true;
            }
        }
    }

    private String showable(boolean all) {
        int upTo = text.length();
        if (!all && !stopped) {
            upTo -= heldBack();
        }
        if (upTo <= shown) {
            return "";
        }
        String s = text.substring(shown, upTo);
        shown = upTo;
        return s;
    }

    private static boolean endsWithStart(StringBuilder text, String s, int k) {
        int off = text.length() - k;
        for (int j = 0; j < k; j++) {
            if (text.charAt(off + j) != s.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    /** Length of the longest end of the text that is the start of a stop string. */
    private int heldBack() {
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length()); k > hold; k--) {
                if (endsWithStart(text, s, k)) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }
}
