/**
 * Hallmark core: keys, the keyed PRF, watermark schemes, the sampling-time watermark (single and
 * batched), detectors, exact statistics, account attribution, and verification of third parties'
 * watermarks (interop). Pure Java, no native code: this is what a serving team puts on its classpath.
 *
 * <p>{@code dev.hallmark.interop.internal} (bit-exact re-implementations of PyTorch and reference
 * internals) is not exported and is not public API.
 */
module dev.hallmark.core {
    requires transitive com.fasterxml.jackson.databind;
    requires org.apache.commons.codec;
    requires org.apache.commons.numbers.gamma;

    exports dev.hallmark.key;
    exports dev.hallmark.prf;
    exports dev.hallmark.scheme;
    exports dev.hallmark.embed;
    exports dev.hallmark.detect;
    exports dev.hallmark.stats;
    exports dev.hallmark.attribution;
    exports dev.hallmark.interop;
}
