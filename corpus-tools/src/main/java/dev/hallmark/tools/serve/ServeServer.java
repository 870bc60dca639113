package dev.hallmark.tools.serve;

import dev.hallmark.embed.BatchSampler;
import dev.hallmark.generate.Generator;
import dev.hallmark.generate.LanguageModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A running {@code hallmark serve}: the OpenAI-compatible HTTP API ({@link OpenAiApi}) over one
 * model, with the continuous-batching {@link Engine}. Start it with {@link #start}; the caller
 * keeps ownership of the model and the tokenizer.
 */
public final class ServeServer implements AutoCloseable {

    /**
     * Server settings.
     *
     * @param host address to bind (e.g. 127.0.0.1)
     * @param port port, or 0 for a free one
     * @param modelName the model id clients send (and {@code GET /v1/models} lists)
     * @param maxBatch most sequences in the running batch
     * @param maxWaiting most sequences waiting for a place in the batch (beyond: 503)
     * @param maxTokens largest {@code max_tokens}
     * @param maxPromptTokens longest prompt in tokens
     * @param maxN largest {@code n}
     * @param ratePerSecond requests per second per account (0: unlimited)
     * @param burst requests an account may send at once before the rate applies
     * @param stopIds token ids that end a completion (e.g. end of text)
     */
    public record Options(String host, int port, String modelName, int maxBatch, int maxWaiting, int maxTokens,
            int maxPromptTokens, int maxN, double ratePerSecond, int burst, int[] stopIds) {
        public Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(modelName, "modelName");
            if (maxBatch < 1 || maxWaiting < 1 || maxTokens < 1 || maxPromptTokens < 1 || maxN < 1 || burst < 1) {
                throw new IllegalArgumentException("batch, queue, token, prompt, n and burst limits must be >= 1");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
            }
            stopIds = stopIds.clone();
        }
    }

    private final Vertx vertx;
    private final HttpServer http;
    private final Engine engine;
    private final String host;

    private ServeServer(Vertx vertx, HttpServer http, Engine engine, String host) {
        this.vertx = vertx;
        this.http = http;
        this.engine = engine;
        this.host = host;
    }

    /**
     * Starts serving.
     *
     * @param decoder token ids to text (the tokenizer's decode)
     * @param encoder text to token ids (the tokenizer's encode; called on Vert.x event loops, so it
     *     must be thread-safe)
     */
    public static ServeServer start(LanguageModel model, Generator.Decoder decoder, Function<String, int[]> encoder,
            Accounts accounts, Keying keying, Options options) {
        if (keying instanceof Keying.Coded coded) {
            coded.check(accounts);
        }
        ServeMetrics metrics = new ServeMetrics();
        accounts.all().forEach(metrics::account);
        Engine engine = new Engine(model, options.maxBatch(), options.maxWaiting(), options.stopIds(), decoder,
                BatchSampler.create(model.vocabularySize(), options.maxBatch()), metrics);
        metrics.engine(engine::runningCount, engine::waitingCount);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
        try {
            OpenAiApi api = new OpenAiApi(engine, accounts, keying, new RateLimits(options.ratePerSecond(),
                    options.burst(), System::nanoTime),
                    new Requests.Limits(options.maxTokens(), options.maxPromptTokens(), options.maxN(), 64, 4,
                            model.vocabularySize()),
                    encoder, options.modelName(), metrics);
            HttpServer http = vertx.createHttpServer(new HttpServerOptions().setHost(options.host())
                            .setPort(options.port()).setCompressionSupported(false))
                    .requestHandler(api.router(vertx))
                    .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new ServeServer(vertx, http, engine, options.host());
        } catch (Exception e) {
            engine.close();
            vertx.close();
            Throwable c = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot listen on " + options.host() + ":" + options.port() + ": "
                    + c.getMessage(), c);
        }
    }

    /**
     * CPU time of the engine thread so far (every forward pass, sampling step and detokenization runs
     * there), in nanoseconds, or -1 where the JVM cannot measure it.
     */
    public long engineCpuNanos() {
        return engine.cpuNanos();
    }

    /** The port the server listens on. */
    public int port() {
        return http.actualPort();
    }

    /** The API base URL clients are given, e.g. {@code http://127.0.0.1:8080/v1}. */
    public String baseUrl() {
        String h = host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return "http://" + h + ":" + port() + "/v1";
    }

    @Override
    public void close() {
        try {
            http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        engine.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
    }
}
