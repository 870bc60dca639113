package dev.hallmark.tools.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One completion request in flight: collects its choices' text (or streams it as server-sent
 * events) and answers in OpenAI's shape once every choice has finished. Engine callbacks arrive on
 * the engine thread and are moved onto the request's Vert.x context.
 */
final class CompletionCall {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Context context;
    private final HttpServerResponse response;
    private final Requests.Parsed req;
    private final String id;
    private final long created;
    private final String modelName;
    private final Accounts.Account account;
    private final Consumer<Integer> onDone;
    private final Runnable onFirstToken;
    private final StringBuilder[] texts;
    private final String[] finish;
    private final boolean[] started;
    private final List<Engine.Sequence> sequences = new ArrayList<>();
    private int remaining;
    private int completionTokens;
    private boolean closed;
    private boolean firstToken;

    /**
     * @param onDone called once with the HTTP status when the response has ended
     */
    CompletionCall(Context context, HttpServerResponse response, Requests.Parsed req, String id, long created,
            String modelName, Accounts.Account account, Runnable onFirstToken, Consumer<Integer> onDone) {
        this.context = context;
        this.response = response;
        this.req = req;
        this.id = id;
        this.created = created;
        this.modelName = modelName;
        this.account = account;
        this.onFirstToken = onFirstToken;
        this.onDone = onDone;
        int choices = req.prompts().size() * req.n();
        this.texts = new StringBuilder[choices];
        this.finish = new String[choices];
        this.started = new boolean[choices];
        for (int i = 0; i < choices; i++) {
            texts[i] = new StringBuilder();
        }
        this.remaining = choices;
    }

    /** The listener of choice {@code index}. */
    Engine.Listener listener(int index) {
        return new Engine.Listener() {
            @Override
            public void onText(String piece) {
                context.runOnContext(v -> text(index, piece));
            }

            @Override
            public void onFinish(Engine.Finish reason, int tokens, String text) {
                context.runOnContext(v -> finished(index, reason, tokens));
            }

            @Override
            public void onError(RuntimeException e) {
                context.runOnContext(v -> failed(e));
            }
        };
    }

    void add(Engine.Sequence s) {
        sequences.add(s);
    }

    /** Starts the event stream (stream: true). */
    void startStream() {
        response.setChunked(true);
        response.putHeader("Content-Type", "text/event-stream; charset=utf-8");
        response.putHeader("Cache-Control", "no-cache");
        response.closeHandler(v -> cancel());
        if (req.chat()) {
            for (int i = 0; i < texts.length; i++) {
                ObjectNode delta = JSON.createObjectNode();
                delta.put("role", "assistant");
                delta.put("content", "");
                event(chunk(i, delta, null));
            }
        }
    }

    /** The client went away: stop generating. */
    void cancel() {
        if (!closed) {
            closed = true;
            sequences.forEach(Engine.Sequence::cancel);
            onDone.accept(499);
        }
    }

    private void text(int i, String piece) {
        if (closed) {
            return;
        }
        if (!firstToken) {
            firstToken = true;
            onFirstToken.run();
        }
        if (req.chat() && !started[i]) {
            piece = piece.stripLeading(); // the reply starts after "Assistant:"
            if (piece.isEmpty()) {
                return;
            }
            started[i] = true;
        }
        texts[i].append(piece);
        if (req.stream()) {
            if (req.chat()) {
                ObjectNode delta = JSON.createObjectNode();
                delta.put("content", piece);
                event(chunk(i, delta, null));
            } else {
                event(chunk(i, piece, null));
            }
        }
    }

    private void finished(int i, Engine.Finish reason, int tokens) {
        if (closed) {
            return;
        }
        finish[i] = reason == Engine.Finish.LENGTH ? "length" : "stop";
        completionTokens += tokens;
        if (req.stream()) {
            event(req.chat() ? chunk(i, JSON.createObjectNode(), finish[i]) : chunk(i, "", finish[i]));
        }
        if (--remaining > 0) {
            return;
        }
        closed = true;
        account.usage().completionTokens.add(completionTokens);
        if (req.stream()) {
            if (req.includeUsage()) {
                ObjectNode u = base(req.chat() ? "chat.completion.chunk" : "text_completion");
                u.putArray("choices");
                u.set("usage", usage());
                event(u);
            }
            response.end("data: [DONE]\n\n");
        } else {
            ObjectNode o = base(req.chat() ? "chat.completion" : "text_completion");
            ArrayNode cs = o.putArray("choices");
            for (int j = 0; j < texts.length; j++) {
                ObjectNode c = cs.addObject();
                c.put("index", j);
                if (req.chat()) {
                    ObjectNode m = c.putObject("message");
                    m.put("role", "assistant");
                    m.put("content", texts[j].toString());
                    m.putNull("refusal");
                } else {
                    c.put("text", texts[j].toString());
                }
                c.putNull("logprobs");
                c.put("finish_reason", finish[j]);
            }
            o.set("usage", usage());
            response.putHeader("Content-Type", "application/json");
            response.end(o.toString());
        }
        onDone.accept(200);
    }

    private void failed(RuntimeException e) {
        if (closed) {
            return;
        }
        closed = true;
        sequences.forEach(Engine.Sequence::cancel);
        ApiError err = e instanceof ApiError a ? a : ApiError.internal("generation failed");
        if (req.stream() && response.headWritten()) {
            ObjectNode o = JSON.createObjectNode();
            o.set("error", OpenAiApi.errorBody(err));
            response.write("data: " + o + "\n\n");
            response.end();
        } else {
            OpenAiApi.sendError(response, err);
        }
        onDone.accept(err.status);
    }

    private ObjectNode usage() {
        ObjectNode u = JSON.createObjectNode();
        u.put("prompt_tokens", req.promptTokens());
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", req.promptTokens() + completionTokens);
        return u;
    }

    private ObjectNode base(String object) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", modelName);
        return o;
    }

    private ObjectNode chunk(int i, Object delta, String finishReason) {
        ObjectNode o = base(req.chat() ? "chat.completion.chunk" : "text_completion");
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", i);
        if (req.chat()) {
            c.set("delta", (ObjectNode) delta);
        } else {
            c.put("text", (String) delta);
        }
        c.putNull("logprobs");
        if (finishReason == null) {
            c.putNull("finish_reason");
        } else {
            c.put("finish_reason", finishReason);
        }
        return o;
    }

    private void event(ObjectNode o) {
        response.write(Buffer.buffer("data: " + o + "\n\n"));
    }
}
