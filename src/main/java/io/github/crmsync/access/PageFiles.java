package io.github.crmsync.access;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The settings page's static files, read once from the classpath folder {@code web/}. Only the
 * files named here are served (nothing else on the classpath or in the working directory).
 */
public final class PageFiles {

    public record PageFile(String contentType, byte[] content) {
    }

    private static final Map<String, String> SERVED = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/app.css", "app.css");

    private final Map<String, PageFile> byPath = new LinkedHashMap<>();
    private final String loginForm;

    public PageFiles() {
        SERVED.forEach((path, file) -> byPath.put(path, new PageFile(contentType(file), read(file))));
        loginForm = new String(read("login.html"), java.nio.charset.StandardCharsets.UTF_8);
    }

    public Iterable<String> paths() {
        return byPath.keySet();
    }

    public Optional<PageFile> file(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    /** The login form with a message (HTML-escaped) above the fields, or none. */
    public String loginForm(String message) {
        String text = message == null ? "" : "<p class=\"login-message\" role=\"alert\">" + escape(message) + "</p>";
        return loginForm.replace("<!--message-->", text);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static String contentType(String file) {
        if (file.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        return file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    }

    private static byte[] read(String file) {
        try (InputStream in = PageFiles.class.getClassLoader().getResourceAsStream("web/" + file)) {
            if (in == null) {
                throw new IllegalStateException("web/" + file + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
