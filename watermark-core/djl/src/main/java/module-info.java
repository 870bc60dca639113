/**
 * Hallmark DJL: the {@code NDArray} sampling adapter ({@code dev.hallmark.djl}), and the project's
 * causal language model, generation loop and training ({@code dev.hallmark.generate}). Declares DJL's
 * API only; the application adds an engine.
 */
module dev.hallmark.djl {
    requires transitive dev.hallmark.core;
    requires transitive ai.djl.api;
    requires com.fasterxml.jackson.databind;

    exports dev.hallmark.djl;
    exports dev.hallmark.generate;
}
