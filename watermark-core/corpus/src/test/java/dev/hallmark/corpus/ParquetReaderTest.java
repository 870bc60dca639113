package dev.hallmark.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parquet files written by parquet-java's writer, read back without Hadoop: every codec and page
 * version, dictionary encoding, several row groups, text columns and list-of-struct chat columns,
 * and the errors.
 */
class ParquetReaderTest {

    @TempDir
    Path dir;

    static String answer(int i) {
        return "Answer " + i + ": " + "word ".repeat(i % 7) + "end";
    }

    @ParameterizedTest
    @CsvSource({"UNCOMPRESSED,PARQUET_1_0", "SNAPPY,PARQUET_1_0", "GZIP,PARQUET_1_0", "ZSTD,PARQUET_1_0",
        "LZ4_RAW,PARQUET_1_0", "SNAPPY,PARQUET_2_0", "ZSTD,PARQUET_2_0", "UNCOMPRESSED,PARQUET_2_0"})
    void textColumnEveryCodecAndPageVersion(String codec, String version) throws IOException {
        Path f = ParquetFixtures.write(dir.resolve("t.parquet"), ParquetFixtures.TEXT, 3000, (i, g) -> {
            g.append("id", "r" + i);
            if (i % 10 != 3) {
                g.append("text", answer(i % 50)); // repeats: dictionary pages
            } else {
                g.append("text", "unique text number " + i + " é ✓");
            }
        }, CompressionCodecName.valueOf(codec), ParquetProperties.WriterVersion.valueOf(version), 16 << 10);
        List<Document> d = CorpusReaderTest.read(f, CorpusOptions.defaults());
        assertEquals(3000, d.size());
        for (int i = 0; i < 3000; i++) {
            String want = i % 10 != 3 ? answer(i % 50) : "unique text number " + i + " é ✓";
            assertEquals(want, d.get(i).text(), "row " + (i + 1));
            assertEquals("r" + i, d.get(i).recordId());
            assertEquals(i + 1, d.get(i).record());
            assertEquals(0, d.get(i).line());
        }
        try (CorpusReader r = CorpusReaderTest.drained(f, CorpusOptions.defaults())) {
            assertEquals(CorpusFormat.PARQUET, r.info().format());
            assertTrue(r.info().detected());
            assertEquals("text", r.info().field());
            assertEquals(Files.size(f), r.bytesRead());
        }
    }

    @Test
    void shareGptListOfStructsMatchesTheSameDataAsJsonl() throws IOException {
        Path p = ParquetFixtures.write(dir.resolve("c.parquet"), ParquetFixtures.SHAREGPT, 500, (i, g) -> {
            g.append("id", "c" + i);
            ParquetFixtures.sharegpt(g, List.of(new String[] {"system", "You help."}, new String[] {"human", "Q" + i},
                    new String[] {"gpt", answer(i)}, new String[] {"human", "more"}, new String[] {"gpt", "Again " + i}));
        }, CompressionCodecName.ZSTD, ParquetProperties.WriterVersion.PARQUET_2_0, 32 << 10);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            jsonl.append("{\"id\": \"c").append(i).append("\", \"conversations\": [{\"from\": \"system\", \"value\": "
                    + "\"You help.\"}, {\"from\": \"human\", \"value\": \"Q").append(i).append("\"}, {\"from\": \"gpt\", "
                    + "\"value\": \"").append(answer(i)).append("\"}, {\"from\": \"human\", \"value\": \"more\"}, "
                    + "{\"from\": \"gpt\", \"value\": \"Again ").append(i).append("\"}]}\n");
        }
        Path j = Files.writeString(dir.resolve("c.jsonl"), jsonl);
        for (Turns t : Turns.values()) {
            CorpusOptions o = CorpusOptions.defaults().withPrompts(true).withTurns(t);
            List<Document> a = CorpusReaderTest.read(p, o);
            List<Document> b = CorpusReaderTest.read(j, o);
            assertEquals(t == Turns.ALL ? 1000 : 500, a.size());
            assertEquals(b.stream().map(Document::text).toList(), a.stream().map(Document::text).toList());
            assertEquals(b.stream().map(Document::prompt).toList(), a.stream().map(Document::prompt).toList());
            assertEquals(b.stream().map(Document::turn).toList(), a.stream().map(Document::turn).toList());
            assertEquals(b.stream().map(Document::recordId).toList(), a.stream().map(Document::recordId).toList());
            try (CorpusReader ra = CorpusReaderTest.drained(p, o); CorpusReader rb = CorpusReaderTest.drained(j, o)) {
                assertEquals(rb.counts(), ra.counts());
                assertEquals(ChatDialect.SHAREGPT, ra.info().chat());
                assertEquals(CorpusFormat.PARQUET, ra.info().format());
                assertEquals(t, ra.info().turns());
            }
        }
        // the text column of a chat file, chosen by name
        assertEquals("c0", CorpusReaderTest.read(ParquetFixtures.write(dir.resolve("x.parquet"), MessageTypeParser
                .parseMessageType("message m { optional binary id (STRING); optional binary body (STRING); }"), 1,
                (i, g) -> g.append("id", "c0").append("body", "b")), CorpusOptions.defaults().withField("body"))
                .get(0).recordId());
    }

    @Test
    void legacyRepeatedMessagesAndTokenIds() throws IOException {
        Path p = ParquetFixtures.write(dir.resolve("o.parquet"), ParquetFixtures.OPENAI_LEGACY, 20, (i, g) -> {
            g.append("id", (long) i);
            g.addGroup("messages").append("role", "user").append("content", "question " + i);
            g.addGroup("messages").append("role", "assistant").append("content", "reply " + i);
        });
        List<Document> d = CorpusReaderTest.read(p, CorpusOptions.defaults().withPrompts(true));
        assertEquals(20, d.size());
        assertEquals("reply 7", d.get(7).text());
        assertEquals("question 7", d.get(7).prompt());
        assertEquals("7", d.get(7).recordId());
        assertEquals("row 8, turn 2", d.get(7).where());
        Path ids = ParquetFixtures.write(dir.resolve("ids.parquet"), MessageTypeParser.parseMessageType(
                "message m { optional group completion_ids (LIST) { repeated group list { optional int32 element; } } }"),
                3, (i, g) -> {
                    var l = g.addGroup("completion_ids");
                    for (int k = 0; k <= i; k++) {
                        l.addGroup("list").append("element", 100 + k);
                    }
                });
        List<Document> di = CorpusReaderTest.read(ids, CorpusOptions.defaults().withField("completion_ids"));
        assertEquals(List.of(1, 2, 3), di.stream().map(x -> x.ids().length).toList());
        assertEquals(102, di.get(2).ids()[2]);
        assertNull(di.get(0).text());
    }

    @Test
    void errors() throws IOException {
        Path p = ParquetFixtures.write(dir.resolve("t.parquet"), ParquetFixtures.TEXT, 10,
                (i, g) -> g.append("id", "r" + i).append("text", "t" + i));
        CorpusReaderTest.fails(p, CorpusOptions.defaults().withField("response"), CorpusException.Kind.MISSING_FIELD,
                "the Parquet file has no column 'response' (columns: id, text)");
        Path q = ParquetFixtures.write(dir.resolve("q.parquet"), MessageTypeParser.parseMessageType(
                "message m { optional binary body (STRING); }"), 2, (i, g) -> g.append("body", "x"));
        CorpusReaderTest.fails(q, CorpusOptions.defaults(), CorpusException.Kind.MISSING_FIELD,
                "the Parquet file has no column 'text' or 'completion' and no chat column");
        Path noAsst = ParquetFixtures.write(dir.resolve("n.parquet"), ParquetFixtures.SHAREGPT, 3, (i, g) ->
                ParquetFixtures.sharegpt(g, i == 2 ? List.<String[]>of(new String[] {"human", "alone"})
                        : List.of(new String[] {"human", "q"}, new String[] {"gpt", "a"})));
        CorpusReaderTest.fails(noAsst, CorpusOptions.defaults(), CorpusException.Kind.NO_ASSISTANT_TURN,
                "row 3: a chat record without an assistant turn");
        Path role = ParquetFixtures.write(dir.resolve("r.parquet"), ParquetFixtures.SHAREGPT, 2, (i, g) ->
                ParquetFixtures.sharegpt(g, List.of(new String[] {i == 1 ? "narrator" : "human", "q"},
                        new String[] {"gpt", "a"})));
        CorpusReaderTest.fails(role, CorpusOptions.defaults(), CorpusException.Kind.UNKNOWN_ROLE,
                "row 2: turn 1 has role 'narrator'");
        byte[] b = Files.readAllBytes(p);
        Path cut = Files.write(dir.resolve("cut.parquet"), java.util.Arrays.copyOf(b, b.length - 5));
        CorpusReaderTest.fails(cut, CorpusOptions.defaults(), CorpusException.Kind.CORRUPT, "does not end with the PAR1 magic");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            o.write(b);
        }
        Path gzp = Files.write(dir.resolve("t.parquet.gz"), gz.toByteArray());
        CorpusReaderTest.fails(gzp, CorpusOptions.defaults(), CorpusException.Kind.UNSUPPORTED,
                "a gzip-compressed Parquet file");
        Path notPq = Files.writeString(dir.resolve("no.parquet"), "text\nhello\n");
        CorpusReaderTest.fails(notPq, CorpusOptions.defaults().withFormat(CorpusFormat.PARQUET),
                CorpusException.Kind.MALFORMED, "not a Parquet file");
        // a corrupted data page (bytes flipped in the middle of the file)
        Path big = ParquetFixtures.write(dir.resolve("big.parquet"), ParquetFixtures.TEXT, 2000,
                (i, g) -> g.append("id", "r" + i).append("text", "unique " + i + " " + "z".repeat(i % 30)),
                CompressionCodecName.SNAPPY, ParquetProperties.WriterVersion.PARQUET_1_0, 128L << 20);
        byte[] bb = Files.readAllBytes(big);
        for (int k = 0; k < 64; k++) {
            bb[bb.length / 3 + k] ^= (byte) 0xa5;
        }
        Path broken = Files.write(dir.resolve("broken.parquet"), bb);
        CorpusException e = org.junit.jupiter.api.Assertions.assertThrows(CorpusException.class,
                () -> CorpusReaderTest.read(broken, CorpusOptions.defaults()));
        assertTrue(e.kind() == CorpusException.Kind.CORRUPT || e.kind() == CorpusException.Kind.INVALID_UTF8
                || e.kind() == CorpusException.Kind.TOO_LARGE, e.kind() + ": " + e.getMessage());
    }
}
