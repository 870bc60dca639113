package dev.hallmark.tools;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * How result records write doubles that may not be finite, for {@code @JsonSerialize(using = ...)}
 * on a record component. Without one, Jackson writes NaN and infinities as the strings
 * {@code "NaN"}, {@code "Infinity"}.
 */
public final class JsonNumbers {

    private JsonNumbers() {
    }

    /** NaN as {@code null}; infinities as Jackson writes them ({@code "Infinity"}, {@code "-Infinity"}). */
    public static final class NanAsNull extends StdSerializer<Double> {
        public NanAsNull() {
            super(Double.class);
        }

        @Override
        public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
            if (v.isNaN()) {
                g.writeNull();
            } else {
                g.writeNumber(v);
            }
        }
    }

    /** Every non-finite value (NaN, infinities) as {@code null}. */
    public static final class NonFiniteAsNull extends StdSerializer<Double> {
        public NonFiniteAsNull() {
            super(Double.class);
        }

        @Override
        public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
            if (Double.isFinite(v)) {
                g.writeNumber(v);
            } else {
                g.writeNull();
            }
        }
    }

    /** A {@code double[]} with every non-finite element as {@code null}. */
    public static final class NonFiniteAsNullArray extends StdSerializer<double[]> {
        public NonFiniteAsNullArray() {
            super(double[].class);
        }

        @Override
        public void serialize(double[] a, JsonGenerator g, SerializerProvider p) throws IOException {
            g.writeStartArray(a, a.length);
            for (double v : a) {
                if (Double.isFinite(v)) {
                    g.writeNumber(v);
                } else {
                    g.writeNull();
                }
            }
            g.writeEndArray();
        }
    }
}
