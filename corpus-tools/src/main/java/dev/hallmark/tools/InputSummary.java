package dev.hallmark.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.corpus.CorpusCounts;
import dev.hallmark.corpus.CorpusInfo;
import dev.hallmark.corpus.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a command read from its input, for its report: the format found (chat dialect, field,
 * turns, compression), the records, the documents, in chats the turns by role and which became
 * documents, and the tokens given to the tests by role. Only assistant turns are ever scored, so
 * the user, system and tool counts of {@code tokens_by_role} are 0: the same fields as the
 * verifier service's reports ({@code input}, {@code records}).
 */
final class InputSummary {

    private final Path file;
    private final long[] tokensByRole = new long[Role.values().length];
    private long tokens;
    private CorpusInfo info;
    private CorpusCounts counts;

    InputSummary(Path file) {
        this.file = file;
    }

    /** Counts a document given to the tests with {@code tokens} token ids. */
    void accept(InputRecords.Record r, int tokens) {
        this.tokens += tokens;
        if (r.role() != null) {
            tokensByRole[r.role().ordinal()] += tokens;
        }
    }

    /** Takes what {@code in} found; call once it is read to the end. */
    void finish(InputRecords in) {
        this.info = in.info();
        this.counts = in.counts();
    }

    long documents() {
        return counts == null ? 0 : counts.documents();
    }

    long tokens() {
        return tokens;
    }

    /** {@code input} and {@code records} objects, as in the verifier service's reports. */
    void putJson(ObjectNode o) {
        ObjectNode in = o.putObject("input");
        in.put("file", file.toString());
        in.put("format", info.format().text());
        in.put("compression", info.compression().text());
        if (info.field() != null) {
            in.put("field", info.field());
        }
        if (info.chat() != null) {
            in.put("chat", info.chat().text());
            in.put("turns", info.turns().text());
        }
        ObjectNode r = o.putObject("records");
        r.put("count", counts.records());
        r.put("documents", counts.documents());
        r.put("tokens", tokens);
        if (info.chat() == null) {
            return;
        }
        ObjectNode turns = r.putObject("turns");
        ObjectNode docs = r.putObject("document_turns");
        ObjectNode toks = r.putObject("tokens_by_role");
        for (Role role : Role.values()) {
            turns.put(role.text(), counts.turns(role));
            docs.put(role.text(), counts.documentTurns(role));
            toks.put(role.text(), tokensByRole[role.ordinal()]);
        }
    }

    /**
     * One line for people: {@code read 24 records of f.jsonl (chat, sharegpt, turns all): turns
     * user 24, assistant 24; scored 24 assistant turns, 4,812 tokens (user, system, tool: 0)}.
     */
    String line() {
        List<String> what = new ArrayList<>();
        what.add(info.format().text());
        if (info.compression() != dev.hallmark.corpus.Compression.NONE) {
            what.add(info.compression().text());
        }
        if (info.chat() != null) {
            what.add(info.chat().text());
            what.add("turns " + info.turns().text());
        } else if (info.field() != null) {
            what.add("field " + info.field());
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "read %d record%s of %s (%s): ", counts.records(),
                counts.records() == 1 ? "" : "s", file, String.join(", ", what)));
        if (info.chat() == null) {
            return b.append(String.format(Locale.ROOT, "%d document%s, %d tokens", counts.documents(),
                    counts.documents() == 1 ? "" : "s", tokens)).toString();
        }
        List<String> turns = new ArrayList<>();
        for (Role role : Role.values()) {
            if (counts.turns(role) > 0) {
                turns.add(role.text() + " " + counts.turns(role));
            }
        }
        return b.append("turns ").append(turns.isEmpty() ? "none" : String.join(", ", turns))
                .append(String.format(Locale.ROOT, "; scored %d assistant turn%s, %d tokens (user, system, tool: 0)",
                        counts.documentTurns(Role.ASSISTANT), counts.documentTurns(Role.ASSISTANT) == 1 ? "" : "s",
                        tokensByRole[Role.ASSISTANT.ordinal()]))
                .toString();
    }
}
