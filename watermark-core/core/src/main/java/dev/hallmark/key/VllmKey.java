package dev.hallmark.key;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The secret of a vLLM text watermark: the unsigned 64-bit integer {@code key} of vLLM's
 * {@code --watermark-config '{"algorithm": ..., "key": N}'} (0 to 2<sup>64</sup> - 1), the key
 * material of the {@code vllm-*} schemes ({@link dev.hallmark.scheme.Scheme.KeyKind#VLLM}).
 *
 * <p>{@link #toString()} never prints the key; {@link #id()} is a public fingerprint. Note that a
 * 64-bit key is small: a fingerprint of a key such as 42 is trivially inverted by trying keys, so a
 * demo or test-vector key is no secret (the watermark itself is as easy to search).
 *
 * <p>Key files (type {@code vllm}) are read and written by {@link KeyFile#readVllm} and
 * {@link KeyFile#writeVllm}. Immutable and thread-safe.
 */
public final class VllmKey {

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private final long bits;
    private final String id;

    private VllmKey(long bits) {
        this.bits = bits;
        this.id = "vk-" + HexFormat.of().formatHex(sha256("hallmark/vllm-key/fingerprint/v1", bits), 0, 8);
    }

    /**
     * @param unsignedBits the key's 64 bits (a key of 2<sup>63</sup> or more is a negative {@code long})
     * @return the key
     */
    public static VllmKey of(long unsignedBits) {
        return new VllmKey(unsignedBits);
    }

    /**
     * Parses the decimal form vLLM's configuration takes, e.g. {@code 42} or
     * {@code 18446744073709551615}.
     *
     * @param decimal the key as an unsigned decimal integer
     * @return the key
     * @throws IllegalArgumentException naming the value if it is empty, not a decimal integer,
     *     negative, or 2<sup>64</sup> or more
     */
    public static VllmKey parse(String decimal) {
        if (decimal == null || decimal.isBlank()) {
            throw new IllegalArgumentException("vLLM key: empty; expected an integer in [0, 2^64 - 1]");
        }
        String s = decimal.strip();
        boolean negative = s.startsWith("-");
        String digits = negative ? s.substring(1) : s;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("vLLM key '" + s + "' is not a decimal integer; expected an integer in "
                    + "[0, 2^64 - 1] (18446744073709551615)");
        }
        BigInteger v = new BigInteger(digits);
        if (negative && v.signum() != 0) {
            throw new IllegalArgumentException("vLLM key " + s + " is negative; vLLM keys are unsigned 64-bit "
                    + "integers in [0, 2^64 - 1]");
        }
        if (v.compareTo(TWO_64) >= 0) {
            throw new IllegalArgumentException("vLLM key " + s + " is 2^64 or more; vLLM keys must fit in 64 bits "
                    + "(at most 18446744073709551615)");
        }
        return new VllmKey(v.longValue());
    }

    /**
     * vLLM's {@code derive_watermark_key(key, domain)}: the first 8 bytes, big-endian, of
     * SHA-256({@code domain} || the key as 8 big-endian bytes). The dual-key Gumbel watermark uses
     * the domains {@code key_a} and {@code key_b}.
     *
     * @param domain the ASCII domain label
     * @return the derived key
     */
    public VllmKey derive(String domain) {
        return new VllmKey(ByteBuffer.wrap(sha256(domain, bits)).getLong());
    }

    /** @return {@code derive("key_a")}, dual-key Gumbel's key A (weight 1 - alpha) */
    public VllmKey keyA() {
        return derive("key_a");
    }

    /** @return {@code derive("key_b")}, dual-key Gumbel's key B (weight alpha) */
    public VllmKey keyB() {
        return derive("key_b");
    }

    /**
     * The key's 64 bits (the secret: handle like the key itself). As an unsigned value, the
     * integer vLLM was configured with.
     *
     * @return the bits
     */
    public long secretBits() {
        return bits;
    }

    /** @return the key as vLLM's configuration writes it, an unsigned decimal (the secret) */
    public String exportDecimal() {
        return Long.toUnsignedString(bits);
    }

    /**
     * A public fingerprint, {@code vk-} plus 16 hex digits: the first 8 bytes of SHA-256 over a
     * domain label and the key's big-endian bytes. Identifies the key in reports.
     *
     * @return the fingerprint
     */
    public String id() {
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VllmKey k && k.bits == bits;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bits * 0x9E3779B97F4A7C15L);
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "VllmKey[id=" + id + "]";
    }

    private static byte[] sha256(String domain, long bits) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(domain.getBytes(StandardCharsets.US_ASCII));
            md.update(ByteBuffer.allocate(Long.BYTES).putLong(bits).array());
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
