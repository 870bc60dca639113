/**
 * Hallmark text: tokenizers of {@code tokenizer.json} files: the exact pure-Java byte-level BPE engine
 * ({@code FastBpeTokenizer}, the default) and DJL's HuggingFace tokenizers ({@code HfTokenizer}, with
 * truncation off and no special tokens added), behind {@code TextTokenizer}; text normalisers.
 */
module dev.hallmark.text {
    requires ai.djl.tokenizers;
    requires com.fasterxml.jackson.databind;

    exports dev.hallmark.text;
}
