package dev.hallmark.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Parquet files written by parquet-java's own writer (parquet-hadoop, test scope), for the reader to
 * read back: the files real pipelines (Spark, Hadoop tools) produce.
 */
public final class ParquetFixtures {

    private ParquetFixtures() {}

    /** {@code id} and {@code text} columns. */
    public static final MessageType TEXT = MessageTypeParser.parseMessageType(
            "message m { optional binary id (STRING); optional binary text (STRING); }");

    /** ShareGPT turns as the standard three-level LIST of structs. */
    public static final MessageType SHAREGPT = MessageTypeParser.parseMessageType(
            "message m { optional binary id (STRING); optional group conversations (LIST) { repeated group list {"
                    + " optional group element { optional binary from (STRING); optional binary value (STRING); } } } }");

    /** OpenAI messages as a legacy two-level repeated group (no LIST annotation). */
    public static final MessageType OPENAI_LEGACY = MessageTypeParser.parseMessageType(
            "message m { required int64 id; repeated group messages { required binary role (UTF8);"
                    + " optional binary content (UTF8); } }");

    /** Writes {@code rows} rows; {@code fill} sets row {@code i}'s fields. */
    public static Path write(Path file, MessageType schema, int rows, BiConsumer<Integer, Group> fill,
            CompressionCodecName codec, ParquetProperties.WriterVersion version, long rowGroupBytes) throws IOException {
        Files.deleteIfExists(file);
        SimpleGroupFactory f = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withConf(new PlainParquetConfiguration()).withType(schema).withCompressionCodec(codec)
                .withWriterVersion(version).withRowGroupSize(rowGroupBytes).withPageSize(4096)
                .withDictionaryEncoding(true).build()) {
            for (int i = 0; i < rows; i++) {
                Group g = f.newGroup();
                fill.accept(i, g);
                w.write(g);
            }
        }
        return file;
    }

    public static Path write(Path file, MessageType schema, int rows, BiConsumer<Integer, Group> fill) throws IOException {
        return write(file, schema, rows, fill, CompressionCodecName.SNAPPY, ParquetProperties.WriterVersion.PARQUET_1_0,
                128L << 20);
    }

    /** Appends ShareGPT turns ({@code from}, {@code value} pairs) to a {@link #SHAREGPT} row. */
    public static void sharegpt(Group row, List<String[]> turns) {
        Group c = row.addGroup("conversations");
        for (String[] t : turns) {
            Group e = c.addGroup("list").addGroup("element");
            e.append("from", t[0]);
            if (t[1] != null) {
                e.append("value", t[1]);
            }
        }
    }
}
