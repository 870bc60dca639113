package dev.hallmark.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the module exports and needs: only its API package; Parquet read without Hadoop or the geometry library. */
class ModuleTest {

    /** Jars of the test class path that the library must not need at run time. */
    static final List<String> TEST_ONLY = List.of("hadoop-client", "parquet-hadoop", "jts-core", "zstd-jni",
            "snappy-java", "parquet-jackson", "commons-pool", "junit", "opentest4j", "apiguardian", "slf4j-nop");

    @Test
    void exportsOnlyTheApiAndRequiresNoNativeOrDjlModule() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals("dev.hallmark.corpus", d.name());
        assertEquals(Set.of("dev.hallmark.corpus"), d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()));
        Set<String> req = d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
        assertEquals(Set.of("java.base", "com.fasterxml.jackson.databind", "org.apache.commons.csv"), req);
    }

    @Test
    void readsParquetWithTheRuntimeClassPathOnly(@TempDir Path dir) throws Exception {
        Path f = ParquetFixtures.write(dir.resolve("c.parquet"), ParquetFixtures.SHAREGPT, 50,
                (i, g) -> ParquetFixtures.sharegpt(g, List.of(new String[] {"human", "q" + i}, new String[] {"gpt", "a" + i})),
                CompressionCodecName.ZSTD, ParquetProperties.WriterVersion.PARQUET_2_0, 1 << 20);
        List<URL> urls = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith("test-classes") || TEST_ONLY.stream().anyMatch(e::contains)) {
                continue;
            }
            urls.add(Path.of(e).toUri().toURL());
        }
        try (URLClassLoader cl = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> cl.loadClass("org.apache.hadoop.conf.Configuration"));
            assertThrows(ClassNotFoundException.class, () -> cl.loadClass("org.locationtech.jts.geom.Geometry"));
            Class<?> reader = cl.loadClass("dev.hallmark.corpus.CorpusReader");
            Class<?> options = cl.loadClass("dev.hallmark.corpus.CorpusOptions");
            Object o = options.getMethod("defaults").invoke(null);
            try (AutoCloseableAdapter r = new AutoCloseableAdapter(reader.getMethod("open", Path.class, options)
                    .invoke(null, f, o))) {
                int n = 0;
                Object last = null;
                for (Object d = r.next(); d != null; d = r.next()) {
                    n++;
                    last = d;
                }
                assertEquals(50, n);
                assertEquals("a49", last.getClass().getMethod("text").invoke(last));
            }
        }
        assertFalse(urls.isEmpty());
        assertTrue(urls.stream().anyMatch(u -> u.toString().contains("parquet-column")));
    }

    /** Calls next() and close() reflectively on a reader from another class loader. */
    private record AutoCloseableAdapter(Object reader) implements AutoCloseable {
        Object next() throws ReflectiveOperationException {
            var m = reader.getClass().getMethod("next");
            m.setAccessible(true);
            return m.invoke(reader);
        }

        @Override
        public void close() throws ReflectiveOperationException {
            var m = reader.getClass().getMethod("close");
            m.setAccessible(true);
            m.invoke(reader);
        }
    }
}
