package dev.hallmark.tools.spark;

import java.io.Serializable;

/**
 * One input record as Spark hands it to the scorer: a text, or token ids, or neither (a null
 * field); for documents read by hallmark-corpus the chat role of the turn (null outside chats); or,
 * at the end of each file hallmark-corpus read, that file's counts ({@link CorpusFiles#COUNTS}:
 * records, turns by role, assistant turns that became documents) and nothing else. A JavaBean
 * because Spark's bean encoder turns an {@code array<int>} column into an {@code int[]} without
 * boxing each id. Public only because Spark's encoders require it.
 */
public final class DocBean implements Serializable {
    private static final long serialVersionUID = 1L;
    private String text;
    private int[] ids;
    private String role;
    private long[] counts;

    public DocBean() {}

    public String getText() {
        return text;
    }

    public void setText(String text) {
        this.text = text;
    }

    public int[] getIds() {
        return ids;
    }

    public void setIds(int[] ids) {
        this.ids = ids;
    }

    public String getRole() {
        return role;
    }

    public void setRole(String role) {
        this.role = role;
    }

    public long[] getCounts() {
        return counts;
    }

    public void setCounts(long[] counts) {
        this.counts = counts;
    }
}
