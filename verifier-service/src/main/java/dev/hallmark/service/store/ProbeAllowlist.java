package dev.hallmark.service.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The endpoints probe scans may contact, set by an admin and kept in the service's settings:
 * base URLs such as {@code http://10.0.0.5:8000/v1}, compared exactly after normalisation (scheme
 * and host lower-cased, no trailing slash). Nothing outside the list is ever contacted: a probe
 * scan names one of them, and its client follows no redirects.
 */
public final class ProbeAllowlist {

    /** The settings entry holding the list (JSON array). */
    static final String SETTING = "probe.allowlist";
    /** Most entries (the list is one settings value). */
    public static final int MAX_ENTRIES = 16;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Settings settings;

    public ProbeAllowlist(Settings settings) {
        this.settings = settings;
    }

    /** The allowed base URLs (empty until an admin sets them). */
    public List<String> endpoints() {
        String v = settings.get(SETTING);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        try {
            for (JsonNode n : JSON.readTree(v)) {
                out.add(n.asText());
            }
        } catch (IOException e) {
            throw new IllegalStateException("the stored probe allowlist is not JSON");
        }
        return out;
    }

    /**
     * Replaces the list.
     *
     * @throws IllegalArgumentException naming the first bad entry
     */
    public List<String> set(List<String> urls) {
        if (urls.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("at most " + MAX_ENTRIES + " endpoints, got " + urls.size());
        }
        ArrayNode a = JSON.createArrayNode();
        List<String> out = new ArrayList<>();
        for (String u : urls) {
            String n = normalize(u);
            if (!out.contains(n)) {
                out.add(n);
                a.add(n);
            }
        }
        if (a.toString().length() > 2000) {
            throw new IllegalArgumentException("the allowlist is too long (2,000 characters at most)");
        }
        settings.put(SETTING, a.toString());
        return out;
    }

    /** Whether {@code url} (normalised) is on the list. */
    public boolean allows(String url) {
        try {
            return endpoints().contains(normalize(url));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The canonical form of a base URL: http or https, a host, an optional port and path, no user
     * info, query or fragment, no trailing slash.
     */
    public static String normalize(String url) {
        URI u;
        try {
            u = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + url + "' is not a URL");
        }
        String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
        if (!("http".equals(scheme) || "https".equals(scheme)) || u.getHost() == null) {
            throw new IllegalArgumentException("'" + url + "' must be an http(s) URL with a host, e.g. http://HOST:PORT/v1");
        }
        if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + url + "' must not carry user info, a query or a fragment");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (u.getPort() >= 0 ? ":" + u.getPort() : "") + path;
    }
}
