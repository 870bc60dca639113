package dev.hallmark.tools.spark;

import java.io.Serializable;

/**
 * One input record as Spark hands it to the scorer: a text, or token ids, or neither (a null
 * field). A JavaBean because Spark's bean encoder turns an {@code array<int>} column into an
 * {@code int[]} without boxing each id. Public only because Spark's encoders require it.
 */
public final class DocBean implements Serializable {
    private static final long serialVersionUID = 1L;
    private String text;
    private int[] ids;

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
}
