package io.loadgen.core.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends each payload file as a {@code multipart/form-data} upload (RFC 7578): one file part named {@code field}
 * (with the file's name and content type), then the form fields, in order. The body is made once per file, when the
 * workload is built, so it costs a transport what raw bytes cost. Immutable and thread-safe.
 */
public final class MultipartShape {
    /** The boundary between parts: fixed, so that a run's bodies repeat exactly; long enough not to occur by chance. */
    static final String BOUNDARY = "loadgen-7Hq2xW9vKp3ZmT5b";

    private final String field;
    private final Map<String, String> form;

    /**
     * @param field the file part's name, e.g. {@code image} or {@code file}
     * @param form other fields, name to value, sent after the file (e.g. {@code top_n=3})
     * @throws IllegalArgumentException for an empty name or one with a quote or a line break
     */
    public MultipartShape(String field, Map<String, String> form) {
        this.field = name(field);
        Map<String, String> f = new LinkedHashMap<>();
        form.forEach((k, v) -> f.put(name(k), v));
        this.form = f;
    }

    /**
     * @param spec {@code multipart:FIELD}
     * @param fields {@code name=value} each
     * @return the shape
     * @throws IllegalArgumentException naming the forms, for a malformed spec or field
     */
    public static MultipartShape parse(String spec, List<String> fields) {
        if (!spec.startsWith("multipart:") || spec.length() == "multipart:".length()) {
            throw new IllegalArgumentException("--request must be raw, multipart:FIELD (the file part's name, e.g."
                    + " multipart:image) or kserve-v2, got '" + spec + "'");
        }
        Map<String, String> form = new LinkedHashMap<>();
        for (String f : fields) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--form must be name=value, got '" + f + "'");
            }
            form.put(f.substring(0, eq), f.substring(eq + 1));
        }
        return new MultipartShape(spec.substring("multipart:".length()), form);
    }

    private static String name(String n) {
        if (n == null || n.isEmpty() || n.contains("\"") || n.contains("\r") || n.contains("\n")) {
            throw new IllegalArgumentException("a multipart field name must be non-empty, without quotes or line"
                    + " breaks, got '" + n + "'");
        }
        return n;
    }

    /** @return the payload as the body of its upload, content type {@code multipart/form-data; boundary=...} */
    public Payload apply(Payload p) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(p.bytes().length + 256);
        String fileName = p.name().contains("/") ? p.name().substring(p.name().lastIndexOf('/') + 1) : p.name();
        ascii(b, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                + fileName.replace("\"", "") + "\"\r\nContent-Type: " + p.contentType() + "\r\n\r\n");
        b.writeBytes(p.bytes());
        ascii(b, "\r\n");
        for (Map.Entry<String, String> e : form.entrySet()) {
            ascii(b, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + e.getKey() + "\"\r\n\r\n");
            b.writeBytes(e.getValue().getBytes(StandardCharsets.UTF_8));
            ascii(b, "\r\n");
        }
        ascii(b, "--" + BOUNDARY + "--\r\n");
        return new Payload(p.name(), b.toByteArray(), "multipart/form-data; boundary=" + BOUNDARY, p.label());
    }

    private static void ascii(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "multipart:" + field + (form.isEmpty() ? "" : " " + form);
    }

    /** @return the file part's name */
    public String field() {
        return field;
    }
}
