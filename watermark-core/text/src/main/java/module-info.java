/**
 * Hallmark text: tokenizers ({@code tokenizer.json} through DJL's HuggingFace tokenizers, with
 * truncation off and no special tokens added) and text normalisers.
 */
module dev.hallmark.text {
    requires ai.djl.tokenizers;
    requires com.fasterxml.jackson.core;

    exports dev.hallmark.text;
}
