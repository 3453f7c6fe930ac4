package io.loadgen.core.engine;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * A text with variables. Filled per request: {@code ${seq}} (the request's number from 0), {@code ${uuid}} (a random
 * UUID) and {@code ${now_ms}} (wall-clock milliseconds). Filled once per payload file, by {@link #bind(Payload)}:
 * {@code ${payload_b64}} (the file's bytes, base64), {@code ${payload_name}} (its name) and {@code ${label}} (its
 * label). Text without {@code ${} is used as it is.
 */
final class Template {
    private enum Var { SEQ, UUID, NOW_MS, PAYLOAD_B64, PAYLOAD_NAME, LABEL }

    /** The variables' names, for messages. */
    static final String KNOWN = "${seq}, ${uuid}, ${now_ms}, ${payload_b64}, ${payload_name}, ${label}";

    private final String source;
    private final List<Object> parts;
    private final boolean constant;
    /** The literal parts as UTF-8, made on the first {@link #renderBody} (a benign race: any copy is the same). */
    private volatile byte[][] encoded;

    private Template(String source, List<Object> parts) {
        this.source = source;
        this.parts = parts;
        this.constant = parts.stream().allMatch(p -> p instanceof String);
    }

    /**
     * @throws IllegalArgumentException naming an unknown or unclosed variable
     */
    static Template parse(String text) {
        List<Object> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf("${", i);
            if (open < 0) {
                parts.add(text.substring(i));
                break;
            }
            if (open > i) {
                parts.add(text.substring(i, open));
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed ${ in template '" + abbreviate(text) + "'");
            }
            String name = text.substring(open + 2, close);
            parts.add(switch (name) {
                case "seq" -> Var.SEQ;
                case "uuid" -> Var.UUID;
                case "now_ms" -> Var.NOW_MS;
                case "payload_b64" -> Var.PAYLOAD_B64;
                case "payload_name" -> Var.PAYLOAD_NAME;
                case "label" -> Var.LABEL;
                default -> throw new IllegalArgumentException("unknown template variable ${" + name
                        + "} in '" + abbreviate(text) + "'; known: " + KNOWN);
            });
            i = close + 1;
        }
        return new Template(text, List.copyOf(parts));
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    boolean isConstant() {
        return constant;
    }

    /** @return whether the text holds a variable that {@link #bind(Payload)} fills */
    boolean usesPayload() {
        return parts.stream().anyMatch(p -> p == Var.PAYLOAD_B64 || p == Var.PAYLOAD_NAME || p == Var.LABEL);
    }

    /**
     * @param payload the file this template is rendered for
     * @return this template with the payload's variables filled in (the per-request ones stay), merged into
     *     constant runs of text, so that a template of only payload variables renders at no cost per request
     * @throws IllegalArgumentException for {@code ${label}} when the payload has none
     */
    Template bind(Payload payload) {
        return bind(payload, java.util.function.UnaryOperator.identity());
    }

    /**
     * @param payload the file this template is rendered for
     * @param escape what each filled value becomes in the text (e.g. {@code Pattern::quote} for a regular expression)
     * @return as {@link #bind(Payload)}, each payload variable's value escaped
     * @throws IllegalArgumentException for {@code ${label}} when the payload has none
     */
    Template bind(Payload payload, java.util.function.UnaryOperator<String> escape) {
        if (!usesPayload()) {
            return this;
        }
        List<Object> bound = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (Object p : parts) {
            String literal = p instanceof String s ? s : switch ((Var) p) {
                case PAYLOAD_B64 -> Base64.getEncoder().encodeToString(payload.bytes());
                case PAYLOAD_NAME -> payload.name();
                case LABEL -> payload.label().orElseThrow(() -> new IllegalArgumentException("${label} in the body"
                        + " or a header, but payload " + payload.name() + " has no label: give a directory of"
                        + " DIR/<label>/<file> or a labels.csv (file,label)"));
                default -> null;
            };
            if (literal != null) {
                literal = p instanceof String ? literal : escape.apply(literal);
                run.append(literal);
                text.append(literal);
            } else {
                if (run.length() > 0) {
                    bound.add(run.toString());
                    run.setLength(0);
                }
                bound.add(p);
                text.append("${").append(((Var) p).name().toLowerCase(java.util.Locale.ROOT)).append('}');
            }
        }
        if (run.length() > 0) {
            bound.add(run.toString());
        }
        return new Template(text.toString(), List.copyOf(bound));
    }

    /**
     * @return the text for request {@code seq} as UTF-8: the literal runs encoded once and shared, with only the
     *     per-request variables formatted between them, so that a large payload-bound body costs no copy a request
     */
    Body renderBody(long seq) {
        if (constant) {
            byte[][] literal = encoded;
            if (literal == null) {
                literal = new byte[][] {source.getBytes(java.nio.charset.StandardCharsets.UTF_8)};
                encoded = literal;
            }
            return Body.of(literal[0]);
        }
        byte[][] literal = encoded;
        if (literal == null) {
            literal = new byte[parts.size()][];
            for (int i = 0; i < parts.size(); i++) {
                if (parts.get(i) instanceof String t) {
                    literal[i] = t.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
            }
            encoded = literal;
        }
        byte[][] pieces = new byte[parts.size()][];
        for (int i = 0; i < pieces.length; i++) {
            Object p = parts.get(i);
            pieces[i] = literal[i] != null ? literal[i] : switch ((Var) p) {
                case SEQ -> Long.toString(seq).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                case UUID -> UUID.randomUUID().toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                case NOW_MS -> Long.toString(System.currentTimeMillis())
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                default -> throw new IllegalStateException(p + " is filled per payload: bind the template first");
            };
        }
        return Body.ofParts(pieces);
    }

    String render(long seq) {
        if (constant) {
            return source;
        }
        StringBuilder sb = new StringBuilder(source.length() + 32);
        for (Object p : parts) {
            if (p instanceof String s) {
                sb.append(s);
            } else {
                switch ((Var) p) {
                    case SEQ -> sb.append(seq);
                    case UUID -> sb.append(UUID.randomUUID());
                    case NOW_MS -> sb.append(System.currentTimeMillis());
                    default -> throw new IllegalStateException(p + " is filled per payload: bind the template first");
                }
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return source;
    }
}
