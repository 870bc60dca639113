package dev.hallmark.tools.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Parses and checks the body of {@code POST /v1/completions} and {@code POST /v1/chat/completions}.
 * Every error is a 400 in OpenAI's shape naming the field ({@code param}). Fields this server
 * does not implement are accepted only at their neutral value (e.g. {@code presence_penalty: 0},
 * {@code logprobs: null}); unknown fields are rejected, as OpenAI does.
 */
final class Requests {

    /** Server limits. */
    record Limits(int maxTokens, int maxPromptTokens, int maxN, int maxPrompts, int maxStops, int vocabularySize) {
    }

    /**
     * A checked request.
     *
     * @param prompts token ids of each prompt (one for chat)
     * @param maxTokens completion tokens per choice
     * @param temperature 0 means greedy
     * @param seed the request's seed, or null
     * @param stops stop strings (chat's implicit ones included)
     */
    record Parsed(String model, List<int[]> prompts, int maxTokens, double temperature, double topP, Long seed,
            List<String> stops, int n, boolean stream, boolean includeUsage, boolean chat) {

        int promptTokens() {
            int s = 0;
            for (int[] p : prompts) {
                s += p.length;
            }
            return s;
        }
    }

    private static final Set<String> COMMON = Set.of("model", "max_tokens", "temperature", "top_p", "seed", "stop",
            "n", "stream", "stream_options", "user", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs",
            "metadata", "store", "service_tier");
    private static final Set<String> COMPLETION = Set.of("prompt", "echo", "best_of", "suffix");
    private static final Set<String> CHAT = Set.of("messages", "max_completion_tokens", "top_logprobs",
            "response_format", "parallel_tool_calls");

    private Requests() {
    }

    /**
     * @param encode text to token ids (the server's tokenizer)
     */
    static Parsed parse(JsonNode body, boolean chat, Limits limits, Function<String, int[]> encode) {
        if (body == null || !body.isObject()) {
            throw ApiError.badRequest(null, "the request body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!COMMON.contains(f) && !(chat ? CHAT : COMPLETION).contains(f)) {
                throw ApiError.badField(f, "Unrecognized request argument supplied: " + f);
            }
        });
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw ApiError.badField("model", "you must provide a model parameter");
        }
        if (!model.isTextual()) {
            throw ApiError.badField("model", "model must be a string");
        }
        neutral(body, "presence_penalty", n -> n.isNumber() && n.asDouble() == 0, "0");
        neutral(body, "frequency_penalty", n -> n.isNumber() && n.asDouble() == 0, "0");
        neutral(body, "logprobs", n -> n.isBoolean() ? !n.asBoolean() : n.isIntegralNumber() && n.asInt() == 0,
                chat ? "false" : "0");
        neutral(body, "top_logprobs", n -> n.isIntegralNumber() && n.asInt() == 0, "0");
        neutral(body, "echo", n -> n.isBoolean() && !n.asBoolean(), "false");
        neutral(body, "best_of", n -> n.isIntegralNumber() && n.asInt() == 1, "1");
        neutral(body, "suffix", n -> false, "null");
        neutral(body, "logit_bias", n -> n.isObject() && n.isEmpty(), "{}");
        neutral(body, "response_format", n -> n.isObject() && "text".equals(n.path("type").asText()) && n.size() == 1,
                "{\"type\": \"text\"}");
        neutral(body, "parallel_tool_calls", JsonNode::isBoolean, "a boolean");
        JsonNode user = body.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) {
            throw ApiError.badField("user", "user must be a string");
        }

        List<int[]> prompts = new ArrayList<>();
        if (chat) {
            JsonNode messages = body.get("messages");
            ChatTemplate.check(messages);
            prompts.add(encode.apply(ChatTemplate.render(messages)));
        } else {
            prompts(body.get("prompt"), limits, encode, prompts);
        }
        for (int i = 0; i < prompts.size(); i++) {
            int len = prompts.get(i).length;
            if (len > limits.maxPromptTokens()) {
                throw new ApiError(400, "invalid_request_error", chat ? "messages" : "prompt", "context_length_exceeded",
                        "This model's maximum context length is " + limits.maxPromptTokens() + " tokens, however "
                        + (prompts.size() > 1 ? "prompt " + i : "your prompt") + " has " + len + " tokens. "
                        + "Please reduce the length of the " + (chat ? "messages." : "prompt."), -1);
            }
        }

        JsonNode mt = body.get(chat && body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens");
        String mtName = chat && body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int maxTokens = chat ? limits.maxTokens() : Math.min(16, limits.maxTokens());
        if (mt != null && !mt.isNull()) {
            if (!mt.isIntegralNumber() || !mt.canConvertToInt()) {
                throw ApiError.badField(mtName, mtName + " must be an integer, got " + kind(mt));
            }
            maxTokens = mt.asInt();
            if (maxTokens < 1 || maxTokens > limits.maxTokens()) {
                throw ApiError.badField(mtName, mtName + " must be between 1 and " + limits.maxTokens()
                        + " (this server's limit), got " + maxTokens);
            }
        }
        double temperature = number(body, "temperature", 1.0, 0, 2);
        double topP = number(body, "top_p", 1.0, 0, 1);
        if (topP <= 0) {
            throw ApiError.badField("top_p", "top_p must be greater than 0 and at most 1, got " + topP);
        }
        Long seed = null;
        JsonNode s = body.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                throw ApiError.badField("seed", "seed must be an integer, got " + kind(s));
            }
            seed = s.asLong();
        }
        List<String> stops = stops(body.get("stop"), limits.maxStops());
        if (chat) {
            stops.addAll(ChatTemplate.STOPS);
        }
        int n = 1;
        JsonNode nn = body.get("n");
        if (nn != null && !nn.isNull()) {
            if (!nn.isIntegralNumber() || !nn.canConvertToInt()) {
                throw ApiError.badField("n", "n must be an integer, got " + kind(nn));
            }
            n = nn.asInt();
            if (n < 1 || n > limits.maxN()) {
                throw ApiError.badField("n", "n must be between 1 and " + limits.maxN() + ", got " + n);
            }
        }
        boolean stream = bool(body, "stream");
        boolean includeUsage = false;
        JsonNode so = body.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) {
                throw ApiError.badField("stream_options", "stream_options must be an object");
            }
            if (!stream) {
                throw ApiError.badField("stream_options", "stream_options is only allowed when stream is true");
            }
            JsonNode iu = so.get("include_usage");
            if (iu != null && !iu.isNull() && !iu.isBoolean()) {
                throw ApiError.badField("stream_options.include_usage", "stream_options.include_usage must be a boolean");
            }
            includeUsage = iu != null && iu.asBoolean();
        }
        return new Parsed(model.asText(), prompts, maxTokens, temperature, topP, seed, stops, n, stream, includeUsage,
                chat);
    }

    private static void prompts(JsonNode p, Limits limits, Function<String, int[]> encode, List<int[]> out) {
        if (p == null || p.isNull()) {
            throw ApiError.badField("prompt", "you must provide a prompt parameter");
        }
        if (p.isTextual()) {
            out.add(text(p.asText(), "prompt", encode));
            return;
        }
        if (!p.isArray() || p.isEmpty()) {
            throw ApiError.badField("prompt", "prompt must be a string, an array of strings, an array of token ids or "
                    + "an array of token id arrays (non-empty), got " + kind(p));
        }
        if (p.get(0).isIntegralNumber()) {
            out.add(ids(p, "prompt", limits.vocabularySize()));
            return;
        }
        if (p.size() > limits.maxPrompts()) {
            throw ApiError.badField("prompt", "at most " + limits.maxPrompts() + " prompts per request, got " + p.size());
        }
        for (int i = 0; i < p.size(); i++) {
            JsonNode x = p.get(i);
            if (x.isTextual()) {
                out.add(text(x.asText(), "prompt[" + i + "]", encode));
            } else if (x.isArray() && !x.isEmpty()) {
                out.add(ids(x, "prompt[" + i + "]", limits.vocabularySize()));
            } else {
                throw ApiError.badField("prompt", "prompt[" + i + "] must be a non-empty string or token id array, got "
                        + kind(x));
            }
        }
    }

    private static int[] text(String s, String where, Function<String, int[]> encode) {
        if (s.isEmpty()) {
            throw ApiError.badField("prompt", where + " is empty: give at least one character");
        }
        int[] ids = encode.apply(s);
        if (ids.length == 0) {
            throw ApiError.badField("prompt", where + " has no tokens");
        }
        return ids;
    }

    private static int[] ids(JsonNode a, String where, int vocab) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = a.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToInt() || x.asInt() < 0 || x.asInt() >= vocab) {
                throw ApiError.badField("prompt", where + "[" + i + "] must be a token id in [0, " + vocab + "), got "
                        + x);
            }
            out[i] = x.asInt();
        }
        return out;
    }

    private static List<String> stops(JsonNode s, int max) {
        List<String> out = new ArrayList<>();
        if (s == null || s.isNull()) {
            return out;
        }
        if (s.isTextual()) {
            out.add(s.asText());
        } else if (s.isArray()) {
            for (JsonNode x : s) {
                if (!x.isTextual()) {
                    throw ApiError.badField("stop", "stop must be a string or an array of strings, found " + kind(x));
                }
                out.add(x.asText());
            }
        } else {
            throw ApiError.badField("stop", "stop must be a string or an array of strings, got " + kind(s));
        }
        if (out.size() > max) {
            throw ApiError.badField("stop", "at most " + max + " stop sequences, got " + out.size());
        }
        for (String x : out) {
            if (x.isEmpty()) {
                throw ApiError.badField("stop", "stop sequences must not be empty");
            }
        }
        return out;
    }

    private static double number(JsonNode body, String field, double dflt, double lo, double hi) {
        JsonNode x = body.get(field);
        if (x == null || x.isNull()) {
            return dflt;
        }
        if (!x.isNumber()) {
            throw ApiError.badField(field, field + " must be a number, got " + kind(x));
        }
        double v = x.asDouble();
        if (!(v >= lo && v <= hi)) {
            throw ApiError.badField(field, field + " must be between " + fmt(lo) + " and " + fmt(hi) + ", got " + v);
        }
        return v;
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode x = body.get(field);
        if (x == null || x.isNull()) {
            return false;
        }
        if (!x.isBoolean()) {
            throw ApiError.badField(field, field + " must be a boolean, got " + kind(x));
        }
        return x.asBoolean();
    }

    private static void neutral(JsonNode body, String field, java.util.function.Predicate<JsonNode> ok, String value) {
        JsonNode x = body.get(field);
        if (x != null && !x.isNull() && !ok.test(x)) {
            throw ApiError.badField(field, field + " is not supported by this server; leave it out or set it to "
                    + value);
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> (n.isIntegralNumber() ? "the integer " : "the number ") + n;
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
