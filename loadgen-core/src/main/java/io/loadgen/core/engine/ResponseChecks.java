package io.loadgen.core.engine;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks on every response's answer ({@code --check}), all of which must pass:
 * <ul>
 *   <li>{@code status==200} (or {@code status==2xx}: any status of that class);
 *   <li>{@code json:/json/pointer==VALUE}: the body is JSON and the value at the pointer (RFC 6901), as text, equals
 *       VALUE; numbers compare as numbers ({@code 3} equals {@code 3.0}). VALUE may hold {@code ${label}} and
 *       {@code ${payload_name}}, filled from the request's payload file, e.g.
 *       {@code json:/predictions/0/class_id==${label}};
 *   <li>{@code json:/json/pointer=~REGEX}: the body is JSON and the value's text holds a match of the regular
 *       expression; {@code ${label}} and {@code ${payload_name}} in it are matched literally, e.g.
 *       {@code json:/outputs/0/data/0=~^[^:]*:${label}:} for a KServe classification answer
 *       {@code "score:index:label"};
 *   <li>{@code json:/json/pointer exists}: the body is JSON and has a value there;
 *   <li>{@code body~REGEX}: the body, as UTF-8, holds a match of the regular expression.
 * </ul>
 * A check that reads the body sees at most its first {@value #BODY_BYTES} bytes (the transport keeps no more); a
 * body cut there is not valid JSON, so its JSON checks fail.
 *
 * <p>The checks are an immutable spec; what they find is counted by a {@link Tally}, one per run
 * ({@link #newTally()}), so that a workload run twice does not carry one run's failures into the next. In a tally,
 * every response checked is passed or failed (passed + failed = the responses checked), and each check counts its
 * own failures; a response whose status is not 1xx-3xx is counted as failed but is an HTTP error first, not a check
 * error. Thread-safe: immutable; a tally is called by the transports' threads concurrently.
 */
public final class ResponseChecks {
    /** The most of a body a check reads: 64 KiB. */
    public static final int BODY_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One check: its spec as given, and whether a response passes it. */
    private abstract static class Check {
        final String spec;

        Check(String spec) {
            this.spec = spec;
        }

        boolean needsBody() {
            return true;
        }

        boolean needsJson() {
            return false;
        }

        /** @param json the body parsed, or null when it is not JSON */
        abstract boolean passes(int status, byte[] body, JsonNode json, int payload);
    }

    private final List<Check> checks;
    private final boolean needsJson;

    private ResponseChecks(List<Check> checks) {
        this.checks = List.copyOf(checks);
        this.needsJson = checks.stream().anyMatch(Check::needsJson);
    }

    /** @return no checks: every response passes, and none is counted */
    public static ResponseChecks none() {
        return new ResponseChecks(List.of());
    }

    /**
     * @param specs the checks as the flag gives them
     * @param payloads the run's payload files ({@code ${label}} and {@code ${payload_name}} in a VALUE are filled
     *     from the request's), empty for none
     * @return the checks
     * @throws IllegalArgumentException for a malformed check, naming the forms, or a VALUE that needs a label a
     *     payload does not have
     */
    public static ResponseChecks parse(List<String> specs, List<Payload> payloads) {
        List<Check> out = new ArrayList<>();
        for (String spec : specs) {
            out.add(parseOne(spec.strip(), payloads));
        }
        return new ResponseChecks(out);
    }

    private static Check parseOne(String spec, List<Payload> payloads) {
        if (spec.startsWith("status==")) {
            String v = spec.substring("status==".length()).strip();
            if (v.matches("[1-5]xx")) {
                int cls = v.charAt(0) - '0';
                return new StatusCheck(spec, status -> status / 100 == cls);
            }
            if (v.matches("[1-5][0-9][0-9]")) {
                int want = Integer.parseInt(v);
                return new StatusCheck(spec, status -> status == want);
            }
            throw bad(spec, "a status is three digits or a class such as 2xx");
        }
        if (spec.startsWith("json:")) {
            String rest = spec.substring("json:".length());
            if (rest.endsWith(" exists")) {
                JsonPointer pointer = pointer(spec, rest.substring(0, rest.length() - " exists".length()).strip());
                return new JsonCheck(spec, pointer, null);
            }
            int eq = rest.indexOf("==");
            int match = rest.indexOf("=~");
            if (eq < 0 && match < 0) {
                throw bad(spec, "a JSON check is json:/pointer==VALUE, json:/pointer=~REGEX or json:/pointer exists");
            }
            if (match >= 0 && (eq < 0 || match < eq)) {
                return jsonMatch(spec, pointer(spec, rest.substring(0, match).strip()),
                        Template.parse(rest.substring(match + 2)), payloads);
            }
            JsonPointer pointer = pointer(spec, rest.substring(0, eq).strip());
            Template value = Template.parse(rest.substring(eq + 2));
            String[] perPayload = new String[Math.max(1, payloads.size())];
            for (int i = 0; i < perPayload.length; i++) {
                Template t = payloads.isEmpty() ? value : value.bind(payloads.get(i));
                if (!t.isConstant()) {
                    throw bad(spec, "VALUE may use ${label} and ${payload_name}, not per-request variables");
                }
                perPayload[i] = t.render(0);
            }
            if (payloads.isEmpty() && value.usesPayload()) {
                throw bad(spec, "${label} and ${payload_name} need payload files (--payload)");
            }
            return new JsonCheck(spec, pointer, perPayload);
        }
        if (spec.startsWith("body~")) {
            Pattern p;
            try {
                p = Pattern.compile(spec.substring("body~".length()));
            } catch (PatternSyntaxException e) {
                throw bad(spec, "the regular expression does not compile: " + e.getDescription());
            }
            return new Check(spec) {
                @Override
                boolean passes(int status, byte[] body, JsonNode json, int payload) {
                    return body != null && p.matcher(new String(body, StandardCharsets.UTF_8)).find();
                }
            };
        }
        throw bad(spec, "a check is status==200, json:/pointer==VALUE, json:/pointer=~REGEX, json:/pointer exists"
                + " or body~REGEX");
    }

    /** {@code json:/pointer=~REGEX}: the value's text holds a match; {@code ${label}} is matched literally. */
    private static Check jsonMatch(String spec, JsonPointer pointer, Template regex, List<Payload> payloads) {
        if (payloads.isEmpty() && regex.usesPayload()) {
            throw bad(spec, "${label} and ${payload_name} need payload files (--payload)");
        }
        Pattern[] perPayload = new Pattern[Math.max(1, payloads.size())];
        java.util.Map<String, Pattern> compiled = new java.util.HashMap<>();
        for (int i = 0; i < perPayload.length; i++) {
            Template t = payloads.isEmpty() ? regex : regex.bind(payloads.get(i), Pattern::quote);
            if (!t.isConstant()) {
                throw bad(spec, "REGEX may use ${label} and ${payload_name}, not per-request variables");
            }
            String text = t.render(0);
            try {
                perPayload[i] = compiled.computeIfAbsent(text, Pattern::compile);
            } catch (PatternSyntaxException e) {
                throw bad(spec, "the regular expression does not compile: " + e.getDescription());
            }
        }
        return new Check(spec) {
            @Override
            boolean passes(int status, byte[] body, JsonNode json, int payload) {
                JsonNode v = valueAt(json, pointer);
                if (v == null) {
                    return false;
                }
                Pattern p = perPayload[payload >= 0 && payload < perPayload.length ? payload : 0];
                return p.matcher(v.isValueNode() ? v.asText() : v.toString()).find();
            }

            @Override
            boolean needsJson() {
                return true;
            }
        };
    }

    /** @return the value at the pointer, or null when the body is not JSON or has nothing there */
    private static JsonNode valueAt(JsonNode json, JsonPointer pointer) {
        JsonNode v = json == null ? null : json.at(pointer);
        return v == null || v.isMissingNode() ? null : v;
    }

    private static JsonPointer pointer(String spec, String text) {
        try {
            return JsonPointer.compile(text);
        } catch (IllegalArgumentException e) {
            throw bad(spec, "'" + text + "' is not a JSON pointer (RFC 6901, e.g. /predictions/0/class_id)");
        }
    }

    private static IllegalArgumentException bad(String spec, String why) {
        return new IllegalArgumentException("bad --check '" + spec + "': " + why);
    }

    /** The status: one code, or a class of them. */
    private static final class StatusCheck extends Check {
        private final java.util.function.IntPredicate accepts;

        StatusCheck(String spec, java.util.function.IntPredicate accepts) {
            super(spec);
            this.accepts = accepts;
        }

        @Override
        boolean needsBody() {
            return false;
        }

        @Override
        boolean passes(int status, byte[] body, JsonNode json, int payload) {
            return accepts.test(status);
        }
    }

    /** A JSON pointer's value: it exists, or equals the expected text of the request's payload. */
    private static final class JsonCheck extends Check {
        private final JsonPointer pointer;
        private final String[] expected;

        JsonCheck(String spec, JsonPointer pointer, String[] expected) {
            super(spec);
            this.pointer = pointer;
            this.expected = expected;
        }

        @Override
        boolean needsJson() {
            return true;
        }

        @Override
        boolean passes(int status, byte[] body, JsonNode json, int payload) {
            JsonNode v = valueAt(json, pointer);
            if (v == null) {
                return false;
            }
            if (expected == null) {
                return true;
            }
            String want = expected[payload >= 0 && payload < expected.length ? payload : 0];
            if (v.isNumber()) {
                try {
                    return v.decimalValue().compareTo(new BigDecimal(want.strip())) == 0;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            return v.isValueNode() ? v.asText().equals(want) : v.toString().equals(want);
        }
    }

    /** @return whether there are no checks */
    public boolean isEmpty() {
        return checks.isEmpty();
    }

    /** @return whether a check reads the body, so the transport must keep it */
    public boolean needsBody() {
        return checks.stream().anyMatch(Check::needsBody);
    }

    /** @return a new count of answers against these checks, all at 0: one per run */
    public Tally newTally() {
        return new Tally();
    }

    /**
     * A run's count of its answers against the checks. Thread-safe: the transports' threads call {@link #check}
     * concurrently; the counts may be read at any time.
     */
    public final class Tally {
        private final LongAdder passed = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final LongAdder[] failedByCheck = new LongAdder[checks.size()];

        private Tally() {
            for (int i = 0; i < failedByCheck.length; i++) {
                failedByCheck[i] = new LongAdder();
            }
        }

        /**
         * Checks one response and counts it.
         *
         * @param status its status
         * @param body its first bytes ({@link #BODY_BYTES} at most), or null when the transport kept none
         * @param payload the index of the request's payload file, or -1
         * @return whether every check passed
         */
        public boolean check(int status, byte[] body, int payload) {
            if (checks.isEmpty()) {
                return true;
            }
            JsonNode json = null;
            if (needsJson && body != null) {
                try {
                    json = JSON.readTree(body);
                } catch (IOException e) {
                    json = null;
                }
            }
            boolean all = true;
            for (int i = 0; i < failedByCheck.length; i++) {
                if (!checks.get(i).passes(status, body, json, payload)) {
                    failedByCheck[i].increment();
                    all = false;
                }
            }
            (all ? passed : failed).increment();
            return all;
        }

        /** @return responses that passed every check so far */
        public long passed() {
            return passed.sum();
        }

        /** @return responses that failed at least one check so far */
        public long failed() {
            return failed.sum();
        }

        /** @return each check's failures so far, by its spec, in the order given */
        public Map<String, Long> failuresByCheck() {
            Map<String, Long> out = new LinkedHashMap<>();
            for (int i = 0; i < failedByCheck.length; i++) {
                out.put(checks.get(i).spec, failedByCheck[i].sum());
            }
            return out;
        }
    }
}
