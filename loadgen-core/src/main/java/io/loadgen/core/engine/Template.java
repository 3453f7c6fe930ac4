package io.loadgen.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A text with variables filled per request: {@code ${seq}} (the request's number from 0), {@code ${uuid}} (a random
 * UUID) and {@code ${now_ms}} (wall-clock milliseconds). Text without {@code ${} is used as it is.
 */
final class Template {
    private enum Var { SEQ, UUID, NOW_MS }

    private final String source;
    private final List<Object> parts;
    private final boolean constant;

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
                throw new IllegalArgumentException("unclosed ${ in template '" + text + "'");
            }
            String name = text.substring(open + 2, close);
            parts.add(switch (name) {
                case "seq" -> Var.SEQ;
                case "uuid" -> Var.UUID;
                case "now_ms" -> Var.NOW_MS;
                default -> throw new IllegalArgumentException("unknown template variable ${" + name
                        + "} in '" + text + "'; known: ${seq}, ${uuid}, ${now_ms}");
            });
            i = close + 1;
        }
        return new Template(text, List.copyOf(parts));
    }

    boolean isConstant() {
        return constant;
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
                    default -> throw new AssertionError(p);
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
