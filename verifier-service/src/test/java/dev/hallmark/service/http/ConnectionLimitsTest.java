package dev.hallmark.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.TestSupport;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that hold resources without making progress are closed within the documented
 * timeouts (here set short: head 2 s, upload stall 2 s, request 1 s), with raw sockets: 300 idle
 * connections, a slow-loris head, a stalled upload (its temporary file deleted), a body trickled
 * into /v1/detect; and an error response closes its connection.
 */
@ExtendWith(VertxExtension.class)
class ConnectionLimitsTest {

    static final int HEAD_SECONDS = 2;
    static final int STALL_SECONDS = 2;
    static final int REQUEST_SECONDS = 1;

    @TempDir
    static Path dir;
    static TestSupport.Env env;

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("data");
        env = new TestSupport.Env(data, TestSupport.config(data)
                .withTimeouts(new ServiceConfig.Timeouts(STALL_SECONDS, REQUEST_SECONDS, HEAD_SECONDS)));
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    Socket open() throws IOException {
        Socket s = new Socket("127.0.0.1", env.port());
        s.setSoTimeout(250);
        return s;
    }

    /** Reads until the server closes the socket; returns what it sent, or null if still open at {@code deadline}. */
    static String readToClose(Socket s, long deadlineNanos) throws IOException {
        return readToClose(s, deadlineNanos, new ByteArrayOutputStream());
    }

    /** The same, collecting into {@code got} (kept across calls). */
    static String readToClose(Socket s, long deadlineNanos, ByteArrayOutputStream got) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        while (System.nanoTime() < deadlineNanos) {
            try {
                int n = in.read(buf);
                if (n < 0) {
                    return got.toString(StandardCharsets.UTF_8);
                }
                got.write(buf, 0, n);
            } catch (SocketTimeoutException e) {
                // still open
            } catch (IOException e) {
                return got.toString(StandardCharsets.UTF_8); // reset: closed
            }
        }
        return null;
    }

    @Test
    void threeHundredIdleConnectionsAreClosedWithinTheHeaderTimeout() throws Exception {
        List<Socket> idle = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 300; i++) {
            idle.add(open());
        }
        long deadline = t0 + (HEAD_SECONDS + 3) * 1_000_000_000L;
        int closed = 0;
        for (Socket s : idle) {
            if (readToClose(s, deadline) != null) {
                closed++;
            }
            s.close();
        }
        double took = (System.nanoTime() - t0) / 1e9;
        assertEquals(300, closed, "every idle connection was closed by the server");
        assertTrue(took >= HEAD_SECONDS - 0.5, "not before the timeout: " + took + " s");
        // and the server still answers
        try (Socket s = open()) {
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String r = readUntil(s, "\"status\":\"ok\"");
            assertTrue(r.startsWith("HTTP/1.1 200"), r);
        }
    }

    static String readUntil(Socket s, String marker) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long end = System.nanoTime() + 10_000_000_000L;
        byte[] buf = new byte[4096];
        while (System.nanoTime() < end && !got.toString(StandardCharsets.UTF_8).contains(marker)) {
            try {
                int n = s.getInputStream().read(buf);
                if (n < 0) {
                    break;
                }
                got.write(buf, 0, n);
            } catch (SocketTimeoutException e) {
                // wait
            }
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSlowLorisHeadIsClosed() throws Exception {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            byte[] head = ("GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.alpha + "\r\n").getBytes(
                    StandardCharsets.US_ASCII);
            long t0 = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < head.length && !closed; i++) {
                try {
                    out.write(head[i]);
                    out.flush();
                } catch (IOException e) {
                    closed = true;
                }
                closed |= readToClose(s, System.nanoTime() + 150_000_000L) != null;
            }
            double took = (System.nanoTime() - t0) / 1e9;
            assertTrue(closed, "a head trickled a byte at a time is cut off");
            assertTrue(took < HEAD_SECONDS + 3, "within the header timeout: " + took + " s");
        }
    }

    @Test
    void aStalledUploadIsAbortedAndItsTemporaryFileDeleted() throws Exception {
        Path uploads = env.dataDir.resolve("uploads");
        try (Socket s = open()) {
            String head = "POST /v1/scans?name=stall HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.alpha
                    + "\r\nContent-Type: text/plain\r\nContent-Length: 1000000\r\n\r\n";
            s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write("some words of a corpus\n".repeat(40).getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            long t0 = System.nanoTime();
            boolean sawPart = false;
            while (!sawPart && System.nanoTime() - t0 < 1_500_000_000L) {
                try (Stream<Path> l = Files.list(uploads)) {
                    sawPart = l.anyMatch(p -> p.toString().endsWith(".part"));
                }
                Thread.sleep(20);
            }
            assertTrue(sawPart, "the upload is being received into a .part file");
            String r = readToClose(s, t0 + (STALL_SECONDS + 4) * 1_000_000_000L);
            double took = (System.nanoTime() - t0) / 1e9;
            assertTrue(r != null, "the connection was closed");
            assertTrue(r.startsWith("HTTP/1.1 408"), r);
            assertTrue(r.contains("\"type\":\"/problems/upload-stalled\"") && r.contains("no data arrived for " + STALL_SECONDS
                    + " s after 920 bytes; the upload was abandoned and nothing was stored"), r);
            assertTrue(took >= STALL_SECONDS - 0.5 && took < STALL_SECONDS + 4, "took " + took + " s");
        }
        try (Stream<Path> l = Files.list(uploads)) {
            assertEquals(List.of(), l.toList(), "the temporary file is gone");
        }
    }

    @Test
    void aBodyTrickledIntoDetectHitsTheRequestTimeout() throws Exception {
        try (Socket s = open()) {
            String body = new JsonObject().put("text", "word ".repeat(200)).encode();
            String head = "POST /v1/detect HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.alpha
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n";
            s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            String r = null;
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            for (int i = 0; i < body.length() && r == null && got.size() == 0; i++) {
                try {
                    s.getOutputStream().write(body.charAt(i));
                } catch (IOException e) {
                    break;
                }
                r = readToClose(s, System.nanoTime() + 200_000_000L, got);
            }
            double answered = (System.nanoTime() - t0) / 1e9;
            if (r == null) {
                r = readToClose(s, System.nanoTime() + 5_000_000_000L, got);
            }
            assertTrue(r != null && r.startsWith("HTTP/1.1 503"), "[" + r + "] after " + answered + " s");
            assertTrue(r.contains("\"type\":\"/problems/timeout\"") && r.contains("not answered within the request timeout"), r);
            assertTrue(answered >= REQUEST_SECONDS - 0.3 && answered < REQUEST_SECONDS + 2, "answered after " + answered + " s");
        }
    }

    @Test
    void anErrorResponseClosesTheConnection() throws Exception {
        try (Socket s = open()) {
            // a refused upload (413 before any body byte is read): the answer arrives, then the socket closes
            s.getOutputStream().write(("POST /v1/scans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.alpha
                    + "\r\nContent-Type: text/plain\r\nContent-Length: " + (env.server.config().maxUploadBytes() + 1)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write("the start of a body the server does not want\n".getBytes(StandardCharsets.US_ASCII));
            String r = readToClose(s, System.nanoTime() + 10_000_000_000L);
            assertTrue(r != null, "closed");
            assertTrue(r.startsWith("HTTP/1.1 413"), r);
            assertTrue(r.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), r);
            assertTrue(r.contains("the limit is " + env.server.config().maxUploadBytes()), r);
        }
        try (Socket s = open()) {
            String body = "{\"text\": 5}";
            s.getOutputStream().write(("POST /v1/detect HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + env.alpha
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            String r = readToClose(s, System.nanoTime() + 10_000_000_000L);
            assertTrue(r != null && r.startsWith("HTTP/1.1 400") && r.contains("'text' must be a string"), String.valueOf(r));
        }
    }
}
