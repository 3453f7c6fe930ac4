package io.loadgen.server.testing;

import io.loadgen.server.image.ImagePreprocessorTestAccess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * The bad-input corpus of {@code /v1/classify}: each case is a request a client could send by mistake and the
 * status and error code it must get. Run against the pure-Java stand-in model and against the real TensorFlow one:
 * the answer must not depend on the model.
 */
public final class BadInputs {
    /**
     * @param name what the case is
     * @param contentType the request's Content-Type, or {@code null} for none
     * @param body the request body
     * @param headers extra headers, name then value
     * @param status the status it must get
     * @param code the error code it must get
     */
    public record Case(String name, String contentType, byte[] body, List<String> headers, int status, String code) {
    }

    private BadInputs() {
    }

    /**
     * @param w the model's input width and height (any valid image is made that size)
     * @param maxBodyBytes the server's body limit (one case is just above it)
     * @param classes the model's number of classes (top_k beyond it is wrong)
     */
    public static List<Case> corpus(int w, long maxBodyBytes, int classes) {
        byte[] jpeg = Images.grey(90, Math.max(w, 64), Math.max(w, 64), "jpg");
        byte[] random = new byte[2048];
        new Random(3).nextBytes(random);
        String b64 = Base64.getEncoder().encodeToString(Images.grey(20, w, w, "png"));
        List<Case> c = new ArrayList<>();
        c.add(new Case("empty png", "image/png", new byte[0], List.of(), 400, "empty_body"));
        c.add(new Case("empty json", "application/json", new byte[0], List.of(), 400, "empty_body"));
        c.add(new Case("truncated jpeg", "image/jpeg", Arrays.copyOf(jpeg, jpeg.length / 2), List.of(), 400,
                "bad_image"));
        c.add(new Case("random bytes", "image/jpeg", random, List.of(), 400, "bad_image"));
        c.add(new Case("text as png", "image/png", "just some text\n".repeat(10).getBytes(StandardCharsets.UTF_8),
                List.of(), 400, "bad_image"));
        c.add(new Case("text/plain", "text/plain", "just some text".getBytes(StandardCharsets.UTF_8), List.of(), 415,
                "unsupported_media_type"));
        c.add(new Case("no content type", null, jpeg, List.of(), 415, "unsupported_media_type"));
        c.add(new Case("10 gigapixel png header", "image/png", ImagePreprocessorTestAccess.pngHeader(100_000,
                100_000), List.of(), 400, "bad_image"));
        c.add(new Case("body over the limit", "image/png", new byte[(int) maxBodyBytes + 1024], List.of(), 413,
                "payload_too_large"));
        c.add(new Case("cut json", "application/json", "{\"image\": ".getBytes(StandardCharsets.UTF_8), List.of(),
                400, "bad_json"));
        c.add(new Case("json array", "application/json", "[1,2]".getBytes(StandardCharsets.UTF_8), List.of(), 400,
                "bad_json"));
        c.add(new Case("bad base64", "application/json", "{\"image\":\"@@@not base64@@@\"}".getBytes(
                StandardCharsets.UTF_8), List.of(), 400, "bad_base64"));
        for (String k : List.of("0", Integer.toString(classes + 1), "-1", "\"five\"", "2.5")) {
            c.add(new Case("top_k " + k, "application/json", ("{\"image\":\"" + b64 + "\",\"top_k\":" + k + "}")
                    .getBytes(StandardCharsets.UTF_8), List.of(), 400, "bad_request"));
        }
        c.add(new Case("unknown field", "application/json", ("{\"image\":\"" + b64 + "\",\"topk\":3}").getBytes(
                StandardCharsets.UTF_8), List.of(), 400, "bad_request"));
        c.add(new Case("bad priority", "image/png", Images.grey(20, w, w, "png"), List.of("X-Priority", "urgent"),
                400, "bad_request"));
        c.add(new Case("bad deadline", "image/png", Images.grey(20, w, w, "png"), List.of("X-Deadline-Ms", "soon"),
                400, "bad_request"));
        byte[] form = multipart(List.of(Part.file("image", "0.png", Images.grey(20, w, w, "png"))));
        c.add(new Case("multipart without a boundary", "multipart/form-data", form, List.of(), 400, "bad_request"));
        c.add(new Case("multipart cut short", "multipart/form-data; boundary=" + BOUNDARY, Arrays.copyOf(form,
                form.length / 2), List.of(), 400, "bad_request"));
        c.add(new Case("multipart of random bytes", "multipart/form-data; boundary=" + BOUNDARY, random, List.of(),
                400, "bad_request"));
        return c;
    }

    /** The boundary of the multipart bodies made here. */
    public static final String BOUNDARY = "loadgen-bad-input";

    /**
     * Multipart bodies of more parts than the server takes in one request, whatever the parts are: each must get
     * 413 {@code too_many_items}, never the 500 of the HTTP server's own form-key limit (1,000 parts in Jetty). Each
     * body is small (about 200 KB at most) but larger than the 64 KB of {@link #corpus}'s servers: post them to a
     * server with a larger body limit and the default {@code maxItemsPerRequest} or less.
     *
     * @param w the model's input width and height
     */
    public static List<Case> tooManyParts(int w) {
        byte[] png = Images.grey(20, w, w, "png");
        String type = "multipart/form-data; boundary=" + BOUNDARY;
        List<Case> c = new ArrayList<>();
        List<Part> images = new ArrayList<>();
        for (int i = 0; i < 1_001; i++) {
            images.add(Part.file("image", i + ".png", png));
        }
        c.add(new Case("1,001 image parts", type, multipart(images), List.of(), 413, "too_many_items"));
        List<Part> fields = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            fields.add(Part.field("f" + i, "x"));
        }
        c.add(new Case("1,500 tiny non-image fields", type, multipart(fields), List.of(), 413, "too_many_items"));
        List<Part> mixed = new ArrayList<>(List.of(Part.file("image", "0.png", png), Part.field("top_k", "3")));
        for (int i = 0; i < 1_498; i++) {
            mixed.add(Part.field("note", "x"));
        }
        c.add(new Case("1,500 parts: one image, top_k and 1,498 other fields", type, multipart(mixed), List.of(), 413,
                "too_many_items"));
        return c;
    }

    /** One part of a multipart body: a file when {@code filename} is not null, else a plain field. */
    public record Part(String name, String filename, byte[] content) {
        public static Part file(String name, String filename, byte[] content) {
            return new Part(name, filename, content);
        }

        public static Part field(String name, String value) {
            return new Part(name, null, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** @return a {@code multipart/form-data} body of these parts, with the boundary {@link #BOUNDARY} */
    public static byte[] multipart(List<Part> parts) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (Part p : parts) {
            String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + p.name() + "\""
                    + (p.filename() != null ? "; filename=\"" + p.filename() + "\"\r\nContent-Type: image/png" : "")
                    + "\r\n\r\n";
            body.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(p.content());
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }
}
