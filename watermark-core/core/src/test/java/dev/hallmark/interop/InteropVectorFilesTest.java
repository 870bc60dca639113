package dev.hallmark.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The vector files are byte-identical to the ones whose provenance the README records. */
class InteropVectorFilesTest {

    @Test
    void hashesMatchTheReadme() throws Exception {
        String readme = new String(resource("README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\\| `([^`]+\\.jsonl?)` \\| `([0-9a-f]{64})` \\|").matcher(readme);
        Map<String, String> recorded = new LinkedHashMap<>();
        while (m.find()) {
            recorded.put(m.group(1), m.group(2));
        }
        assertEquals(3, recorded.size(), "README lists the three vector files");
        for (Map.Entry<String, String> e : recorded.entrySet()) {
            String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(resource(e.getKey())));
            assertEquals(e.getValue(), actual, e.getKey());
        }
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = InteropVectorFilesTest.class.getResourceAsStream("/interop/" + name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }
}
