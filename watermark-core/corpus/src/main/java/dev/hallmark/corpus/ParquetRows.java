package dev.hallmark.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Assembles Parquet rows into JSON trees, so that Parquet records go through the same field and chat
 * logic as JSONL ({@link RecordDocs}): groups become objects, repeated fields arrays, {@code LIST}
 * groups arrays of their elements (the standard three-level form and the legacy two-level forms),
 * {@code MAP} groups objects, byte arrays strict UTF-8 strings, integers numbers.
 */
final class ParquetRows extends RecordMaterializer<ObjectNode> {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A value that cannot be read; thrown through parquet-column's converters (which cannot throw checked exceptions). */
    static final class BadValue extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final CorpusException.Kind kind;

        BadValue(CorpusException.Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }

    private final MessageType schema;
    private final Group root;
    private final int maxChars;

    ParquetRows(MessageType schema, int maxChars) {
        this.schema = schema;
        this.maxChars = maxChars;
        this.root = new Group(schema, null, -1);
    }

    @Override
    public ObjectNode getCurrentRecord() {
        return (ObjectNode) shape(root.current, schema);
    }

    @Override
    public GroupConverter getRootConverter() {
        return root;
    }

    /** Builds one group's object; hands it to the parent at {@link #end()}. */
    private final class Group extends GroupConverter {
        private final GroupType type;
        private final Group parent;
        private final int index;
        private final Converter[] kids;
        ObjectNode current;

        Group(GroupType type, Group parent, int index) {
            this.type = type;
            this.parent = parent;
            this.index = index;
            this.kids = new Converter[type.getFieldCount()];
            for (int i = 0; i < kids.length; i++) {
                Type t = type.getType(i);
                kids[i] = t.isPrimitive() ? new Leaf(this, i, t.asPrimitiveType()) : new Group(t.asGroupType(), this, i);
            }
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return kids[fieldIndex];
        }

        @Override
        public void start() {
            current = F.objectNode();
        }

        @Override
        public void end() {
            if (parent != null) {
                parent.put(index, current);
            }
        }

        void put(int field, JsonNode v) {
            Type t = type.getType(field);
            if (t.isRepetition(Type.Repetition.REPEATED)) {
                current.withArray(t.getName()).add(v);
            } else {
                current.set(t.getName(), v);
            }
        }
    }

    /** One primitive field of a group. */
    private final class Leaf extends PrimitiveConverter {
        private final Group parent;
        private final int index;
        private final boolean text;

        Leaf(Group parent, int index, PrimitiveType t) {
            this.parent = parent;
            this.index = index;
            this.text = t.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY;
        }

        @Override
        public void addBinary(Binary value) {
            if (!text) {
                parent.put(index, F.nullNode());
                return;
            }
            if (value.length() > 4L * maxChars) {
                throw new BadValue(CorpusException.Kind.TOO_LARGE, "column '" + parent.type.getType(index).getName()
                        + "' holds a value longer than " + maxChars + " characters");
            }
            ByteBuffer b = value.toByteBuffer();
            String s;
            try {
                s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b).toString();
            } catch (CharacterCodingException e) {
                throw new BadValue(CorpusException.Kind.INVALID_UTF8, "column '" + parent.type.getType(index).getName()
                        + "' holds a value that is not valid UTF-8");
            }
            if (s.length() > maxChars) {
                throw new BadValue(CorpusException.Kind.TOO_LARGE, "column '" + parent.type.getType(index).getName()
                        + "' holds a value longer than " + maxChars + " characters");
            }
            parent.put(index, F.textNode(s));
        }

        @Override
        public void addInt(int value) {
            parent.put(index, F.numberNode(value));
        }

        @Override
        public void addLong(long value) {
            parent.put(index, F.numberNode(value));
        }

        @Override
        public void addBoolean(boolean value) {
            parent.put(index, F.booleanNode(value));
        }

        @Override
        public void addFloat(float value) {
            parent.put(index, F.numberNode(value));
        }

        @Override
        public void addDouble(double value) {
            parent.put(index, F.numberNode(value));
        }
    }

    /** Rewrites the raw assembly of a {@code type} value: LIST groups to arrays, MAP groups to objects. */
    static JsonNode shape(JsonNode v, Type type) {
        if (v == null || v.isNull() || type.isPrimitive()) {
            return v;
        }
        if (v.isArray() && !type.isRepetition(Type.Repetition.REPEATED)) {
            return v;
        }
        GroupType g = type.asGroupType();
        if (v.isArray()) {
            ArrayNode out = F.arrayNode(v.size());
            GroupType single = ParquetSchema.group(Type.Repetition.REQUIRED, g.getName(), g.getLogicalTypeAnnotation(),
                    g.getFields());
            for (JsonNode e : v) {
                out.add(shape(e, single));
            }
            return out;
        }
        ObjectNode o = (ObjectNode) v;
        LogicalTypeAnnotation ann = g.getLogicalTypeAnnotation();
        if (ann instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation && g.getFieldCount() == 1) {
            return list(o, g);
        }
        if (ann instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation && g.getFieldCount() == 1
                && !g.getType(0).isPrimitive() && g.getType(0).asGroupType().getFieldCount() == 2) {
            return map(o, g.getType(0).asGroupType());
        }
        ObjectNode out = F.objectNode();
        for (Type f : g.getFields()) {
            JsonNode x = o.get(f.getName());
            if (x != null) {
                out.set(f.getName(), shape(x, f));
            }
        }
        return out;
    }

    /** The Parquet spec's list rules, including its backward-compatibility cases. */
    private static JsonNode list(ObjectNode o, GroupType g) {
        Type rep = g.getType(0);
        JsonNode items = o.get(rep.getName());
        ArrayNode out = F.arrayNode();
        if (items == null) {
            return out;
        }
        boolean elementIsGroup = !rep.isPrimitive() && (rep.asGroupType().getFieldCount() > 1
                || rep.getName().equals("array") || rep.getName().equals(g.getName() + "_tuple"));
        for (JsonNode it : items) {
            if (rep.isPrimitive()) {
                out.add(it);
            } else if (elementIsGroup) {
                out.add(shape(it, ParquetSchema.group(Type.Repetition.REQUIRED, rep.getName(), null,
                        rep.asGroupType().getFields())));
            } else {
                Type el = rep.asGroupType().getType(0);
                JsonNode e = it.get(el.getName());
                out.add(e == null ? F.nullNode() : shape(e, el));
            }
        }
        return out;
    }

    private static JsonNode map(ObjectNode o, GroupType kv) {
        ObjectNode out = F.objectNode();
        JsonNode entries = o.get(kv.getName());
        if (entries == null) {
            return out;
        }
        String k = kv.getType(0).getName();
        String val = kv.getType(1).getName();
        for (JsonNode e : entries) {
            JsonNode key = e.get(k);
            if (key != null && key.isValueNode()) {
                out.set(key.asText(), shape(e.get(val), kv.getType(1)));
            }
        }
        return out;
    }

    /** For messages: the top-level columns of {@code schema}. */
    static String columns(MessageType schema) {
        StringBuilder b = new StringBuilder();
        for (Iterator<Type> it = schema.getFields().iterator(); it.hasNext(); ) {
            b.append(it.next().getName());
            if (it.hasNext()) {
                b.append(", ");
            }
        }
        return b.toString();
    }
}
