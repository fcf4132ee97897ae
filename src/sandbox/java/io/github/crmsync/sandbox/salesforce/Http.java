package io.github.crmsync.sandbox.salesforce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.github.crmsync.sandbox.FormEncoding;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small helpers over the JDK HTTP server: JSON in and out, query strings, errors. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Http() {
    }

    static void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void sendEmpty(HttpExchange ex, int status) throws IOException {
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    /** The REST error array: {@code [{"message","errorCode"[,"fields"]}]}. */
    static void sendError(HttpExchange ex, int status, String errorCode, String message, List<String> fields)
            throws IOException {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", message);
        e.put("errorCode", errorCode);
        if (fields != null) {
            e.put("fields", fields);
        }
        sendJson(ex, status, List.of(e));
    }

    static byte[] body(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    static Map<String, Object> jsonObject(HttpExchange ex) throws IOException {
        byte[] body = body(ex);
        try {
            Map<String, Object> map = JSON.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (map == null) {
                throw new SalesforceApiException(400, "JSON_PARSER_ERROR", "The request body is empty");
            }
            return map;
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            if (e.getLocation() != null) {
                msg += " at [line:" + e.getLocation().getLineNr() + ", column:" + e.getLocation().getColumnNr() + "]";
            }
            throw new SalesforceApiException(400, "JSON_PARSER_ERROR", msg);
        }
    }

    /** Decoded query parameters (first value wins). */
    static Map<String, String> query(HttpExchange ex) {
        return form(ex.getRequestURI().getRawQuery());
    }

    static Map<String, String> form(String raw) {
        return FormEncoding.decode(raw);
    }
}
