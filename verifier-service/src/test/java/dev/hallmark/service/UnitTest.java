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
        Main.Parsed p = Main.parse(new String[] {"--port", "9000", "--data-dir", "/tmp/x", "--demo", "--rate-burst", "7"});
        assertEquals(9000, p.config().port());
        assertEquals(Path.of("/tmp/x"), p.config().dataDir());
        assertEquals(7, p.config().rateBurst());
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
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.parse(new String[] {"--port", "70000"}))
                .getMessage().contains("port must be 0..65535"));
    }
}
