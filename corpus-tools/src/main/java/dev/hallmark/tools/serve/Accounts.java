package dev.hallmark.tools.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The API accounts of {@code hallmark serve}, from a JSONL file: one line per account,
 * {@code {"account": "acct-17", "api_key": "...", "index": 17}}. {@code index} (optional; default:
 * the account's 0-based line number among the accounts) is the account's number in the account
 * code of {@code --keying coded} (docs/attribution.md); {@code hallmark attribute} reports accused
 * accounts by this number.
 *
 * <p>Only SHA-256 hashes of the API keys are kept once the file is read; errors name the file,
 * the line and the account, never a key.
 */
public final class Accounts {

    /** Shortest API key accepted. */
    static final int MIN_KEY_LENGTH = 8;

    /**
     * One account.
     *
     * @param name the account name (safe to log and to put in metrics)
     * @param index its number in the account code
     */
    public record Account(String name, long index, Usage usage) {
    }

    /** Usage counters of one account (thread-safe). */
    public static final class Usage {
        final LongAdder requests = new LongAdder();
        final LongAdder promptTokens = new LongAdder();
        final LongAdder completionTokens = new LongAdder();
        final LongAdder rateLimited = new LongAdder();

        public long requests() {
            return requests.sum();
        }

        public long promptTokens() {
            return promptTokens.sum();
        }

        public long completionTokens() {
            return completionTokens.sum();
        }

        public long rateLimited() {
            return rateLimited.sum();
        }
    }

    private final Map<ByteBuffer, Account> byKeyHash;
    private final List<Account> all;

    private Accounts(Map<ByteBuffer, Account> byKeyHash, List<Account> all) {
        this.byKeyHash = byKeyHash;
        this.all = all;
    }

    /** Reads an accounts file (see the class comment). */
    public static Accounts read(Path file) {
        ObjectMapper json = new ObjectMapper();
        List<String[]> entries = new ArrayList<>();
        List<Long> indices = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = json.readTree(line);
                } catch (IOException e) {
                    // the parser's message may quote the line, which holds a key: say only where
                    throw new IllegalArgumentException(file + " line " + no + ": not a JSON object");
                }
                if (n == null || !n.isObject()) {
                    throw new IllegalArgumentException(file + " line " + no + ": not a JSON object");
                }
                JsonNode a = n.get("account");
                JsonNode k = n.get("api_key");
                if (a == null || !a.isTextual() || a.asText().isBlank()) {
                    throw new IllegalArgumentException(file + " line " + no + ": \"account\" must be a non-empty string");
                }
                if (k == null || !k.isTextual() || k.asText().length() < MIN_KEY_LENGTH) {
                    throw new IllegalArgumentException(file + " line " + no + " (account " + a.asText()
                            + "): \"api_key\" must be a string of at least " + MIN_KEY_LENGTH + " characters");
                }
                JsonNode i = n.get("index");
                if (i != null && !(i.canConvertToLong() && i.isIntegralNumber() && i.asLong() >= 0)) {
                    throw new IllegalArgumentException(file + " line " + no + " (account " + a.asText()
                            + "): \"index\" must be a non-negative integer");
                }
                entries.add(new String[] {a.asText(), k.asText(), Integer.toString(no)});
                indices.add(i == null ? (long) entries.size() - 1 : i.asLong());
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("accounts file not found: " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read accounts file " + file + ": " + e.getMessage());
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("accounts file " + file + " holds no accounts");
        }
        Map<ByteBuffer, Account> byHash = new HashMap<>();
        Set<String> names = new HashSet<>();
        Set<Long> seen = new HashSet<>();
        List<Account> all = new ArrayList<>();
        for (int j = 0; j < entries.size(); j++) {
            String[] e = entries.get(j);
            String where = file + " line " + e[2] + " (account " + e[0] + ")";
            if (!names.add(e[0])) {
                throw new IllegalArgumentException(where + ": duplicate account name");
            }
            if (!seen.add(indices.get(j))) {
                throw new IllegalArgumentException(where + ": duplicate index " + indices.get(j));
            }
            Account acc = new Account(e[0], indices.get(j), new Usage());
            if (byHash.put(hash(e[1]), acc) != null) {
                throw new IllegalArgumentException(where + ": its api_key is also another account's");
            }
            e[1] = null;
            all.add(acc);
        }
        return new Accounts(byHash, Collections.unmodifiableList(all));
    }

    /** The account with this API key, or null. */
    public Account authenticate(String apiKey) {
        return apiKey == null ? null : byKeyHash.get(hash(apiKey));
    }

    /** Every account, in file order. */
    public List<Account> all() {
        return all;
    }

    static ByteBuffer hash(String apiKey) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
