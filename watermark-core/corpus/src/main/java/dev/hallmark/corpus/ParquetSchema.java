package dev.hallmark.corpus;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.LogicalType;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The file schema of a Parquet footer (a depth-first list of Thrift {@code SchemaElement}s) as
 * parquet-column's {@link MessageType}, with the annotations this reader needs: strings, lists and
 * maps. Other logical types are kept as their physical types.
 */
final class ParquetSchema {

    private ParquetSchema() {}

    static MessageType convert(List<SchemaElement> elements) throws CorpusException {
        if (elements.isEmpty()) {
            throw new CorpusException(CorpusException.Kind.CORRUPT, "the Parquet footer has no schema");
        }
        Iterator<SchemaElement> it = elements.iterator();
        SchemaElement root = it.next();
        List<Type> fields = children(it, root.getNum_children());
        if (it.hasNext()) {
            throw new CorpusException(CorpusException.Kind.CORRUPT, "the Parquet schema has elements past its root's children");
        }
        return new MessageType(root.getName() == null ? "schema" : root.getName(), fields);
    }

    private static List<Type> children(Iterator<SchemaElement> it, int n) throws CorpusException {
        List<Type> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (!it.hasNext()) {
                throw new CorpusException(CorpusException.Kind.CORRUPT, "the Parquet schema ends inside a group");
            }
            out.add(one(it));
        }
        return out;
    }

    private static Type one(Iterator<SchemaElement> it) throws CorpusException {
        SchemaElement e = it.next();
        Type.Repetition rep = e.isSetRepetition_type() ? repetition(e.getRepetition_type()) : Type.Repetition.OPTIONAL;
        LogicalTypeAnnotation ann = annotation(e);
        if (!e.isSetType()) {
            List<Type> kids = children(it, e.isSetNum_children() ? e.getNum_children() : 0);
            if (kids.isEmpty()) {
                throw new CorpusException(CorpusException.Kind.UNSUPPORTED, "Parquet group '" + e.getName()
                        + "' has no fields");
            }
            return group(rep, e.getName(), ann, kids);
        }
        PrimitiveType.PrimitiveTypeName p = switch (e.getType()) {
            case BOOLEAN -> PrimitiveType.PrimitiveTypeName.BOOLEAN;
            case INT32 -> PrimitiveType.PrimitiveTypeName.INT32;
            case INT64 -> PrimitiveType.PrimitiveTypeName.INT64;
            case INT96 -> PrimitiveType.PrimitiveTypeName.INT96;
            case FLOAT -> PrimitiveType.PrimitiveTypeName.FLOAT;
            case DOUBLE -> PrimitiveType.PrimitiveTypeName.DOUBLE;
            case BYTE_ARRAY -> PrimitiveType.PrimitiveTypeName.BINARY;
            case FIXED_LEN_BYTE_ARRAY -> PrimitiveType.PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY;
        };
        boolean textual = ann instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                || ann instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                || ann instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation;
        boolean integer = ann instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation;
        LogicalTypeAnnotation keep = (p == PrimitiveType.PrimitiveTypeName.BINARY && textual)
                || ((p == PrimitiveType.PrimitiveTypeName.INT32 || p == PrimitiveType.PrimitiveTypeName.INT64) && integer)
                ? ann : null;
        PrimitiveType t = new PrimitiveType(rep, p, e.isSetType_length() ? e.getType_length() : 0, e.getName());
        return keep == null ? t : t.withLogicalTypeAnnotation(keep);
    }

    /** A group type with its annotation (parquet-column has no public constructor taking one). */
    static GroupType group(Type.Repetition rep, String name, LogicalTypeAnnotation ann, List<Type> fields) {
        Types.GroupBuilder<GroupType> b = Types.buildGroup(rep);
        if (ann != null) {
            b = b.as(ann);
        }
        return b.addFields(fields.toArray(new Type[0])).named(name);
    }

    private static Type.Repetition repetition(FieldRepetitionType t) {
        return switch (t) {
            case REQUIRED -> Type.Repetition.REQUIRED;
            case OPTIONAL -> Type.Repetition.OPTIONAL;
            case REPEATED -> Type.Repetition.REPEATED;
        };
    }

    private static LogicalTypeAnnotation annotation(SchemaElement e) {
        if (e.isSetLogicalType()) {
            LogicalType l = e.getLogicalType();
            if (l.isSetSTRING()) {
                return LogicalTypeAnnotation.stringType();
            }
            if (l.isSetENUM()) {
                return LogicalTypeAnnotation.enumType();
            }
            if (l.isSetJSON()) {
                return LogicalTypeAnnotation.jsonType();
            }
            if (l.isSetLIST()) {
                return LogicalTypeAnnotation.listType();
            }
            if (l.isSetMAP()) {
                return LogicalTypeAnnotation.mapType();
            }
            if (l.isSetINTEGER()) {
                return LogicalTypeAnnotation.intType(l.getINTEGER().getBitWidth(), l.getINTEGER().isIsSigned());
            }
        }
        if (e.isSetConverted_type()) {
            ConvertedType c = e.getConverted_type();
            return switch (c) {
                case UTF8 -> LogicalTypeAnnotation.stringType();
                case ENUM -> LogicalTypeAnnotation.enumType();
                case JSON -> LogicalTypeAnnotation.jsonType();
                case LIST -> LogicalTypeAnnotation.listType();
                case MAP -> LogicalTypeAnnotation.mapType();
                case INT_8 -> LogicalTypeAnnotation.intType(8, true);
                case INT_16 -> LogicalTypeAnnotation.intType(16, true);
                case INT_32 -> LogicalTypeAnnotation.intType(32, true);
                case INT_64 -> LogicalTypeAnnotation.intType(64, true);
                case UINT_8 -> LogicalTypeAnnotation.intType(8, false);
                case UINT_16 -> LogicalTypeAnnotation.intType(16, false);
                case UINT_32 -> LogicalTypeAnnotation.intType(32, false);
                case UINT_64 -> LogicalTypeAnnotation.intType(64, false);
                default -> null;
            };
        }
        return null;
    }
}
