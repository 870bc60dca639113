package dev.hallmark.tools.serve;

import dev.hallmark.attribution.AccountCode;
import dev.hallmark.generate.DjlCausalLm;
import dev.hallmark.generate.LanguageModel;
import dev.hallmark.key.KeyFile;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.Defaults;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark serve}: an OpenAI-compatible server that watermarks every completion with the
 * key of the API account that asked for it. See docs/serve.md.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"OpenAI-compatible server (completions, chat completions, streaming) over a model, watermarking "
                + "each account's completions with that account's key.",
            "Accounts: JSONL {\"account\", \"api_key\"[, \"index\"]}; keys are kept only as hashes. "
                + "Keys: --master with account/<account> derivation, or --keying coded (docs/attribution.md)."})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--accounts", required = true, description = "Accounts JSONL: {\"account\", \"api_key\"[, \"index\"]}.")
    Path accounts;

    @Option(names = "--master", description = "Master key file (required unless --no-watermark).")
    Path master;

    @Option(names = "--keying", defaultValue = "derived",
            description = "derived: one key per account, master.derive(account/<account>); coded: account codes "
                    + "(docs/attribution.md), account number = the accounts file's index (default: ${DEFAULT-VALUE}).")
    String keying;

    @Option(names = "--code", defaultValue = "31,16,2", description = "Account code q,length,degree for --keying coded "
            + "(default: ${DEFAULT-VALUE}).")
    String code;

    @Option(names = "--scheme", defaultValue = "kgw", description = "Watermark scheme spec (default: ${DEFAULT-VALUE}).")
    String scheme;

    @Option(names = "--no-watermark", description = "Serve the model plainly (e.g. a student).")
    boolean noWatermark;

    @Option(names = "--model", description = "A hallmark model directory (default: the committed default model), or "
            + "a model DJL loads (TorchScript .pt, ONNX; see docs/bring-your-own-model.md).")
    Path model;

    @Option(names = "--engine", defaultValue = "PyTorch", description = "DJL engine for a non-hallmark --model "
            + "(default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--max-context", defaultValue = "1024", description = "Context of a non-hallmark --model "
            + "(default: ${DEFAULT-VALUE}).")
    int maxContext;

    @Option(names = "--attention-mask", description = "A non-hallmark --model takes (input_ids, attention_mask).")
    boolean attentionMask;

    @Option(names = "--model-name", description = "Model id clients send (default: the model's name).")
    String modelName;

    @Option(names = "--tokenizer", description = "tokenizer.json (default: Qwen3 from the Hallmark cache).")
    Path tokenizer;

    @Option(names = "--tokenizer-engine", defaultValue = "fast",
            converter = dev.hallmark.tools.TokenizerOption.EngineConverter.class, paramLabel = "fast|hf", description = "Tokenizer engine: fast (pure-Java byte-level BPE, the default) or hf "
                    + "(Hugging Face tokenizers through DJL, e.g. for a model whose tokenizer.json is not byte-level "
                    + "BPE); the same ids.")
    TokenizerEngine tokenizerEngine = TokenizerEngine.FAST;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-batch", defaultValue = "32", description = "Sequences decoded together (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-waiting", defaultValue = "4096", description = "Sequences allowed to wait for the batch; "
            + "beyond, requests get 503 (default: ${DEFAULT-VALUE}).")
    int maxWaiting;

    @Option(names = "--max-tokens-limit", defaultValue = "512", description = "Largest max_tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--max-prompt-tokens", description = "Longest prompt in tokens (default: the model's context).")
    Integer maxPromptTokens;

    @Option(names = "--max-n", defaultValue = "16", description = "Largest n (default: ${DEFAULT-VALUE}).")
    int maxN;

    @Option(names = "--rate-limit", defaultValue = "none", description = "Requests per account: N/s, N/m, N/h or none "
            + "(default: ${DEFAULT-VALUE}).")
    String rateLimit;

    @Option(names = "--burst", description = "Requests an account may send at once (default: the per-second rate, >= 1).")
    Integer burst;

    @Option(names = "--threads", defaultValue = "1", description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        double rate = RateLimits.parse(rateLimit);
        Keying k = keying(err);
        Accounts acc = Accounts.read(accounts);
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        try (TextTokenizer tok = Defaults.openTokenizer(tokenizer, tokenizerEngine); LanguageModel lm = loadModel(tok)) {
            if (lm.vocabularySize() != tok.vocabularySize()) {
                throw new IllegalArgumentException("model vocabulary " + lm.vocabularySize()
                        + " differs from the tokenizer's " + tok.vocabularySize());
            }
            int eos = Tokenizers.QWEN3_END_OF_TEXT < tok.vocabularySize() ? Tokenizers.QWEN3_END_OF_TEXT : -1;
            ServeServer.Options opts = new ServeServer.Options(host, port, modelName != null ? modelName : lm.name(),
                    maxBatch, maxWaiting, maxTokens, maxPromptTokens != null ? maxPromptTokens : lm.maxContext(), maxN,
                    rate, burst != null ? burst : Math.max(1, (int) Math.ceil(rate)), eos >= 0 ? new int[] {eos} : new int[0]);
            try (ServeServer server = ServeServer.start(lm, tok::decode, tok::encode, acc, k, opts)) {
                err.printf(Locale.ROOT, "hallmark serve: model %s (%s), %d accounts, %s%n", opts.modelName(),
                        lm.getClass().getSimpleName(), acc.all().size(), k.describe());
                err.printf(Locale.ROOT, "hallmark serve: listening on %s (batch %d, max_tokens <= %d, prompt <= %d tokens)%n",
                        server.baseUrl(), maxBatch, maxTokens, opts.maxPromptTokens());
                err.flush();
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "hallmark-serve-shutdown"));
                stop.await();
            }
        }
        return 0;
    }

    private Keying keying(PrintWriter err) throws java.io.IOException {
        if (noWatermark) {
            if (master != null) {
                throw new IllegalArgumentException("--no-watermark and --master exclude each other");
            }
            return Keying.none();
        }
        if (master == null) {
            throw new IllegalArgumentException("--master is required (or --no-watermark to serve without a watermark)");
        }
        Scheme s = Scheme.parse(scheme);
        return switch (keying.toLowerCase(Locale.ROOT)) {
            case "derived" -> Keying.derived(KeyFile.read(master), s);
            case "coded" -> Keying.coded(KeyFile.read(master), s, parseCode(code));
            default -> throw new IllegalArgumentException("--keying must be derived or coded, got '" + keying + "'");
        };
    }

    static AccountCode parseCode(String s) {
        String[] p = s.split(",");
        try {
            if (p.length == 3) {
                return new AccountCode(Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip()),
                        Integer.parseInt(p[2].strip()));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--code must be q,length,degree (e.g. 31,16,2), got '" + s + "'");
    }

    private LanguageModel loadModel(TextTokenizer tok) {
        if (model == null || Files.isRegularFile(model.resolve("config.json"))) {
            return Defaults.loadModel(model);
        }
        return DjlCausalLm.load(model, engine, tok.vocabularySize(), maxContext,
                attentionMask ? DjlCausalLm.Inputs.IDS_AND_MASK : DjlCausalLm.Inputs.IDS_ONLY);
    }
}
