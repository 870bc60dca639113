package dev.hallmark.corpus;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Parquet, Hadoop-free: the footer is read with parquet-format's Thrift structures, pages with
 * {@link ParquetPages}, and rows assembled by parquet-column into JSON trees ({@link ParquetRows}).
 * Only the columns the documents need are read: the field's column (or the chat columns
 * {@code messages}, {@code conversations}, or Alpaca's), {@code id}, and with prompts
 * {@code prompt} and {@code prompt_ids}. A file without such a column fails at open, naming its columns.
 */
final class ParquetReader extends RecordReader {

    /** Columns read besides the document's own. */
    private static final List<String> EXTRA = List.of("id", "prompt", "prompt_ids");
    /** Columns that hold documents when no field is given, in the order {@link RecordDocs} prefers them. */
    private static final List<String> CANDIDATES = List.of("messages", "conversations", "instruction", "input", "output",
            "system", "text", "completion");

    private final FileChannel file;
    private final long fileSize;
    private final List<RowGroup> groups;
    private final MessageType projection;
    private final MessageType schema;
    private final int maxPageBytes;
    private final int maxChars;
    private final long totalRows;
    private int group = -1;
    private long groupRows;
    private long groupRead;
    private long rowsRead;
    private org.apache.parquet.io.RecordReader<ObjectNode> rows;

    ParquetReader(Path path, boolean detected, CorpusOptions o) throws IOException {
        super(CorpusFormat.PARQUET, detected, o);
        this.file = FileChannel.open(path, StandardOpenOption.READ);
        try {
            this.fileSize = file.size();
            FileMetaData meta = footer();
            this.schema = ParquetSchema.convert(meta.getSchema());
            this.groups = meta.getRow_groups() == null ? List.of() : meta.getRow_groups();
            this.projection = project(schema, o);
            this.maxChars = o.limits().maxRecordChars();
            this.maxPageBytes = (int) Math.min(Integer.MAX_VALUE - 16, Math.max(64L << 20, 4L * maxChars));
            long n = 0;
            for (RowGroup g : groups) {
                n += g.getNum_rows();
            }
            this.totalRows = n;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private FileMetaData footer() throws IOException {
        if (fileSize < 12) {
            throw new CorpusException(CorpusException.Kind.CORRUPT, "the Parquet file is truncated (" + fileSize + " bytes)");
        }
        ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        file.read(tail, fileSize - 8);
        tail.flip();
        int len = tail.getInt();
        byte[] magic = new byte[4];
        tail.get(magic);
        String m = new String(magic, StandardCharsets.US_ASCII);
        if (m.equals("PARE")) {
            throw new CorpusException(CorpusException.Kind.UNSUPPORTED, "the Parquet file is encrypted");
        }
        if (!m.equals("PAR1")) {
            throw new CorpusException(CorpusException.Kind.CORRUPT, "the Parquet file is truncated or corrupt: it does "
                    + "not end with the PAR1 magic");
        }
        if (len <= 0 || len > fileSize - 12) {
            throw new CorpusException(CorpusException.Kind.CORRUPT, "the Parquet footer length " + len + " does not fit the file");
        }
        ByteBuffer f = ByteBuffer.allocate(len);
        while (f.hasRemaining()) {
            if (file.read(f, fileSize - 8 - len + f.position()) < 0) {
                break;
            }
        }
        try {
            return Util.readFileMetaData(new ByteArrayInputStream(f.array()));
        } catch (IOException | RuntimeException e) {
            throw new CorpusException(CorpusException.Kind.CORRUPT, "the Parquet footer is unreadable (" + e.getMessage() + ")");
        }
    }

    /** The top-level columns to read. */
    private static MessageType project(MessageType schema, CorpusOptions o) throws CorpusException {
        Set<String> names = new LinkedHashSet<>();
        if (o.field() != null) {
            String top = schema.containsField(o.field()) ? o.field() : o.field().split("\\.", -1)[0];
            if (!schema.containsField(top)) {
                throw new CorpusException(CorpusException.Kind.MISSING_FIELD, "the Parquet file has no column '" + o.field()
                        + "' (columns: " + ParquetRows.columns(schema) + ")");
            }
            names.add(top);
        } else {
            for (String c : CANDIDATES) {
                if (schema.containsField(c)) {
                    names.add(c);
                }
            }
            boolean chat = names.contains("messages") || names.contains("conversations")
                    || (names.contains("instruction") && names.contains("output"));
            if (!chat && !names.contains("text") && !names.contains("completion")) {
                throw new CorpusException(CorpusException.Kind.MISSING_FIELD, "the Parquet file has no column 'text' or "
                        + "'completion' and no chat column ('messages', 'conversations', or 'instruction' and 'output'); "
                        + "name the column that holds the documents (columns: " + ParquetRows.columns(schema) + ")");
            }
        }
        for (String c : EXTRA) {
            if (schema.containsField(c) && (o.prompts() || c.equals("id"))) {
                names.add(c);
            }
        }
        List<Type> fields = new ArrayList<>();
        for (Type t : schema.getFields()) {
            if (names.contains(t.getName())) {
                fields.add(t);
            }
        }
        return new MessageType(schema.getName(), fields);
    }

    @Override
    boolean nextRecord(Deque<Document> out) throws IOException {
        while (groupRead >= groupRows) {
            if (++group >= groups.size()) {
                return false;
            }
            openGroup(groups.get(group));
        }
        long row = rowsRead + 1;
        ObjectNode rec;
        try {
            rec = rows.read();
        } catch (ParquetRows.BadValue e) {
            throw CorpusException.at(e.kind, row, 0, e.getMessage());
        } catch (UncheckedIOException e) {
            throw e.getCause() instanceof CorpusException c ? c
                    : new CorpusException(CorpusException.Kind.CORRUPT, "row " + row + ": " + e.getCause().getMessage(), row, 0);
        } catch (ParquetDecodingException | IllegalStateException | IllegalArgumentException
                | IndexOutOfBoundsException e) {
            throw new CorpusException(CorpusException.Kind.CORRUPT, "row " + row + ": the Parquet data is corrupt ("
                    + e.getMessage() + ")", row, 0);
        }
        groupRead++;
        rowsRead++;
        add(rec, row, 0, out);
        return true;
    }

    private void openGroup(RowGroup g) throws IOException {
        Map<List<String>, ColumnMetaData> byPath = new HashMap<>();
        for (ColumnChunk c : g.getColumns()) {
            if (c.isSetCrypto_metadata()) {
                throw new CorpusException(CorpusException.Kind.UNSUPPORTED, "the Parquet file has encrypted columns");
            }
            if (c.isSetFile_path() && !c.getFile_path().isEmpty()) {
                throw new CorpusException(CorpusException.Kind.UNSUPPORTED, "the Parquet file keeps column data in "
                        + "another file (" + c.getFile_path() + ")");
            }
            ColumnMetaData m = c.getMeta_data();
            byPath.put(m.getPath_in_schema(), m);
        }
        Map<ColumnDescriptor, ColumnMetaData> chunks = new HashMap<>();
        for (ColumnDescriptor d : projection.getColumns()) {
            ColumnMetaData m = byPath.get(Arrays.asList(d.getPath()));
            if (m == null) {
                throw new CorpusException(CorpusException.Kind.CORRUPT, "row group " + (group + 1) + " has no chunk for "
                        + "column '" + String.join(".", d.getPath()) + "'");
            }
            chunks.put(d, m);
        }
        groupRows = g.getNum_rows();
        groupRead = 0;
        ParquetPages pages = new ParquetPages(file, groupRows, chunks, maxPageBytes);
        MessageColumnIO io = new ColumnIOFactory().getColumnIO(projection, schema, true);
        try {
            rows = io.getRecordReader(pages, new ParquetRows(projection, maxChars));
        } catch (UncheckedIOException e) {
            throw e.getCause() instanceof CorpusException c ? c
                    : new CorpusException(CorpusException.Kind.CORRUPT, "row group " + (group + 1) + ": "
                    + e.getCause().getMessage());
        }
    }

    @Override
    Compression compression() {
        return Compression.NONE;
    }

    @Override
    public long bytesRead() {
        return totalRows == 0 ? fileSize : (long) (fileSize * (double) rowsRead / totalRows);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
