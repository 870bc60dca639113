package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Small pieces on their own: argument parsing (see also scan.ScanUnitTest and store.SecretBoxTest). */
class UnitTest {

    @Test
    void commandLine() {
        Main.Parsed p = Main.parse(new String[] {"--port", "9000", "--data-dir", "/tmp/x", "--demo", "--rate-burst", "300",
            "--analyst-max-alpha", "1e-3", "--analyst-daily-documents", "0", "--idle-timeout", "5", "--checkpoint-seconds",
            "0.5"});
        assertEquals(9000, p.config().port());
        assertEquals(Path.of("/tmp/x"), p.config().dataDir());
        assertEquals(300, p.config().rateBurst());
        assertEquals(1e-3, p.config().analysts().maxAlpha());
        assertEquals(0, p.config().analysts().dailyDocuments(), "0 = unlimited");
        assertEquals(5, p.config().timeouts().idleSeconds());
        assertEquals(500, p.config().checkpointMillis());
        assertTrue(p.demo());
        Main.Parsed d = Main.parse(new String[0]);
        assertEquals(8080, d.config().port());
        assertEquals(Path.of("hallmark-data"), d.config().dataDir());
        assertEquals("127.0.0.1", d.config().host());
        assertNull(Main.parse(new String[] {"--help"}));
        assertEquals("unknown option '--prot'", assertThrows(IllegalArgumentException.class,
                () -> Main.parse(new String[] {"--prot", "1"})).getMessage());
        assertEquals("--port needs an integer, got 'x'", assertThrows(IllegalArgumentException.class,
                () -> Main.parse(new String[] {"--port", "x"})).getMessage());
        assertEquals("--port needs an integer, got '+80'", assertThrows(IllegalArgumentException.class,
                () -> Main.parse(new String[] {"--port", "+80"})).getMessage());
        assertEquals("--max-gzip-ratio needs a decimal number, got '0x1p4'", assertThrows(IllegalArgumentException.class,
                () -> Main.parse(new String[] {"--max-gzip-ratio", "0x1p4"})).getMessage(), "no hexadecimal floats");
        assertEquals("--rate-per-second needs a decimal number, got 'NaN'", assertThrows(IllegalArgumentException.class,
                () -> Main.parse(new String[] {"--rate-per-second", "NaN"})).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.parse(new String[] {"--rate-burst", "60"}))
                .getMessage().contains("raise --rate-burst to at least 192"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.parse(new String[] {"--port", "70000"}))
                .getMessage().contains("port must be 0..65535"));
    }
}
