package dev.hallmark.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.corpus.ParquetFixtures;
import dev.hallmark.embed.KeySchedule;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Chat corpora for the CLI's tests, as analysts get them: user turns of real human text
 * (datasets/human-text), assistant turns of watermarked text, the same records as ShareGPT JSONL,
 * Parquet (parquet-java's own writer) and CSV. The watermarked text is a "word salad": each step
 * draws among common words that are one Qwen3 token each, with random logits, through the core
 * sampler, so it decodes to text that tokenizes back to the same ids.
 */
public final class ChatFixtures {

    public static final ObjectMapper JSON = new ObjectMapper();

    public static final String[] WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from "
            + "at which but have an they you were her she there been one all we their has would when if so no will can "
            + "more out up into do any your what some time them these may than its only other new also could people "
            + "after first man two like our over such then made now years many most where see way well very through "
            + "back much before good little world great long day old own life work under water land place house night "
            + "country small state city king river light word hand church earth heaven voice fire sea stone tree bread "
            + "field power law nation spirit truth army ship gold book letter song road bridge wind rain cloud star "
            + "morning evening").split(" ");

    private ChatFixtures() {}

    /** Token ids of " word" for the words that are one token. */
    public static int[] wordIds(TextTokenizer tok) {
        return Arrays.stream(WORDS).distinct().mapToInt(w -> {
            int[] ids = tok.encode(" " + w);
            return ids.length == 1 ? ids[0] : -1;
        }).filter(i -> i >= 0).distinct().toArray();
    }

    /** Word-salad text watermarked with {@code keyed} (null: plain). */
    public static String watermarked(KeyedScheme keyed, TextTokenizer tok, int tokens, long seed) {
        int[] words = wordIds(tok);
        int vocab = Arrays.stream(words).max().orElseThrow() + 1;
        SamplingConfig cfg = SamplingConfig.defaults();
        return salad(keyed == null ? WatermarkSampler.plain(cfg, vocab) : WatermarkSampler.watermarked(keyed, cfg, vocab),
                words, vocab, tok, tokens, seed);
    }

    /** Word-salad text watermarked by an account's code ({@link dev.hallmark.attribution.AccountKeys#scheduleFor}). */
    public static String watermarked(KeySchedule schedule, TextTokenizer tok, int tokens, long seed) {
        int[] words = wordIds(tok);
        int vocab = Arrays.stream(words).max().orElseThrow() + 1;
        return salad(WatermarkSampler.watermarked(schedule, SamplingConfig.defaults(), vocab), words, vocab, tok, tokens,
                seed);
    }

    private static String salad(WatermarkSampler s, int[] words, int vocab, TextTokenizer tok, int tokens, long seed) {
        float[] logits = new float[vocab];
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] ids = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            Arrays.fill(logits, Float.NEGATIVE_INFINITY);
            for (int w : words) {
                logits[w] = (float) (3 * rnd.nextDouble());
            }
            ids[t] = s.next(logits, ids, 0, t, rnd);
        }
        return tok.decode(ids);
    }

    /** The first {@code n} human documents of the repository, each cut to {@code chars} characters. */
    public static List<String> human(int n, int chars) {
        List<String> all = HumanText.read(HumanText.defaultPath(), "text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String h = all.get(i);
            out.add(h.length() > chars ? h.substring(0, chars) : h);
        }
        return out;
    }

    /** {@code [user, assistant]} turn pairs. */
    public record Chat(String id, String user, String assistant) {}

    public static Path sharegptJsonl(Path file, List<Chat> chats) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Chat c : chats) {
            ObjectNode o = JSON.createObjectNode().put("id", c.id());
            ArrayNode turns = o.putArray("conversations");
            turns.addObject().put("from", "human").put("value", c.user());
            turns.addObject().put("from", "gpt").put("value", c.assistant());
            b.append(o).append('\n');
        }
        return Files.writeString(file, b);
    }

    public static Path sharegptParquet(Path file, List<Chat> chats) throws IOException {
        return ParquetFixtures.write(file, ParquetFixtures.SHAREGPT, chats.size(), (i, g) -> {
            g.append("id", chats.get(i).id());
            ParquetFixtures.sharegpt(g, List.of(new String[] {"human", chats.get(i).user()},
                    new String[] {"gpt", chats.get(i).assistant()}));
        });
    }

    /** Alpaca columns {@code id,instruction,output} (RFC 4180 quoting). */
    public static Path alpacaCsv(Path file, List<Chat> chats) throws IOException {
        StringBuilder b = new StringBuilder("id,instruction,output\n");
        for (Chat c : chats) {
            b.append(c.id()).append(',').append(csv(c.user())).append(',').append(csv(c.assistant())).append('\n');
        }
        return Files.writeString(file, b);
    }

    public static String csv(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
