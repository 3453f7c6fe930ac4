package io.loadgen.core.engine;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What each request is: method, target, headers, and a body from a template or from payload files. Immutable;
 * built with {@link #builder(URI)}.
 *
 * <p>Header values and a body template may hold the variables {@code ${seq}}, {@code ${uuid}} and
 * {@code ${now_ms}}, filled per request. Payloads are used in order (cycling) or at random with a seed. A body
 * template with payloads means "this template, once per payload file": its payload variables
 * ({@code ${payload_b64}}, {@code ${payload_name}}, {@code ${label}}, in headers too) are filled once per payload
 * when the workload is built, and only the per-request ones per request, so a template without them costs a
 * transport no more per request than the raw payload does.
 */
public final class Workload {
    /** How payloads are picked. */
    public enum PayloadOrder {
        /** One after another, starting again after the last. */
        SEQUENTIAL,
        /** Uniformly at random, from a seeded generator. */
        RANDOM
    }

    private final URI target;
    private final String method;
    private final List<String> headerNames;
    private final List<Template> headerValues;
    private final Template bodyTemplate;
    private final String bodyContentType;
    private final List<Payload> payloads;
    private final PayloadOrder order;
    private final long seed;
    /** Per payload (or one, without payloads): the body template with the payload's variables filled in, or null. */
    private final Template[] boundBodies;
    /** Per payload: the header value templates, likewise. */
    private final Template[][] boundHeaders;
    /** Whether no header or body holds a per-request variable. */
    private final boolean constant;
    /** The mean length of a request's body, in bytes, over the payloads. */
    private final long meanBodyBytes;
    private final ResponseChecks checks;

    private Workload(Builder b) {
        this.target = b.target;
        this.method = b.method;
        this.headerNames = List.copyOf(b.headerNames);
        this.headerValues = List.copyOf(b.headerValues);
        this.bodyTemplate = b.bodyTemplate;
        this.bodyContentType = b.bodyContentType;
        this.payloads = List.copyOf(b.payloads);
        this.order = b.order;
        this.seed = b.seed;
        int n = Math.max(1, payloads.size());
        this.boundBodies = new Template[n];
        this.boundHeaders = new Template[n][];
        boolean allConstant = true;
        for (int i = 0; i < n; i++) {
            Payload p = payloads.isEmpty() ? null : payloads.get(i);
            boundBodies[i] = bodyTemplate == null ? null : p == null ? bodyTemplate : bodyTemplate.bind(p);
            boundHeaders[i] = new Template[headerValues.size()];
            for (int h = 0; h < headerValues.size(); h++) {
                boundHeaders[i][h] = p == null ? headerValues.get(h) : headerValues.get(h).bind(p);
                allConstant &= boundHeaders[i][h].isConstant();
            }
            allConstant &= boundBodies[i] == null || boundBodies[i].isConstant();
        }
        this.constant = allConstant;
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes += boundBodies[i] != null ? boundBodies[i].renderBody(0).length()
                    : payloads.isEmpty() ? 0 : payloads.get(i).bytes().length;
        }
        this.meanBodyBytes = bytes / n;
        this.checks = ResponseChecks.parse(b.checks, payloads);
    }

    /** @return the mean length of a request's body over the payloads, in bytes (0 without bodies) */
    public long meanBodyBytes() {
        return meanBodyBytes;
    }

    /** @return the checks every answer must pass (a spec: each run counts its answers in a tally of its own) */
    public ResponseChecks checks() {
        return checks;
    }

    /**
     * @param target absolute {@code http} or {@code https} URI
     * @return a builder: method GET (POST once a body or payload is set), no headers, no body
     */
    public static Builder builder(URI target) {
        return new Builder(target);
    }

    /** This workload sent to {@code other}: its bound templates shared, not rendered again; no checks. */
    private Workload(Workload w, URI other) {
        this.target = other;
        this.method = w.method;
        this.headerNames = w.headerNames;
        this.headerValues = w.headerValues;
        this.bodyTemplate = w.bodyTemplate;
        this.bodyContentType = w.bodyContentType;
        this.payloads = w.payloads;
        this.order = w.order;
        this.seed = w.seed;
        this.boundBodies = w.boundBodies;
        this.boundHeaders = w.boundHeaders;
        this.constant = w.constant;
        this.meanBodyBytes = w.meanBodyBytes;
        this.checks = ResponseChecks.none();
    }

    /**
     * @param other another absolute http:// URL
     * @return this workload sent to {@code other} instead: the same method, headers, bodies and order, without the
     *     checks (another target's answers are not this one's; the self-warm uses it)
     */
    public Workload withTarget(URI other) {
        Builder.checkTarget(other);
        return new Workload(this, other);
    }

    /** @return the target URI */
    public URI target() {
        return target;
    }

    /** @return the HTTP method */
    public String method() {
        return method;
    }

    /** @return the payloads, empty when the body is a template or absent */
    public List<Payload> payloads() {
        return payloads;
    }

    /** @return a source of requests for one run; not thread-safe */
    public RequestSource newSource() {
        return new RequestSource(seed, new java.util.concurrent.atomic.AtomicLong());
    }

    /**
     * @param lane a lane's number: its random payload order is seeded apart from the others'
     * @param sequence the run's request numbers ({@code ${seq}}), shared by its lanes
     * @return a source of one lane's requests; not thread-safe
     */
    public RequestSource newSource(int lane, java.util.concurrent.atomic.AtomicLong sequence) {
        return new RequestSource(seed + 0x9E3779B97F4A7C15L * lane, sequence);
    }

    /**
     * Makes the requests of one run, numbering them from 0. When no header or body holds a variable, the same
     * {@link Request} instance stands for each payload every time (so that a transport may encode it once). Not
     * thread-safe.
     */
    public final class RequestSource {
        private final SplittableRandom random;
        private final java.util.concurrent.atomic.AtomicLong sequence;
        private final Request[] made = new Request[Math.max(1, payloads.size())];
        private long own;

        private RequestSource(long seed, java.util.concurrent.atomic.AtomicLong sequence) {
            this.random = new SplittableRandom(seed);
            this.sequence = sequence;
        }

        /** @return the next request */
        public Request next() {
            // the shared counter only when a variable needs it: no contention between lanes otherwise
            long n = constant ? own++ : sequence.getAndIncrement();
            int i = payloads.isEmpty() ? 0 : order == PayloadOrder.RANDOM ? random.nextInt(payloads.size())
                    : (int) (n % payloads.size());
            if (!constant) {
                return build(n, i);
            }
            Request r = made[i];
            if (r == null) {
                r = build(n, i);
                made[i] = r;
            }
            return r;
        }

        private Request build(long n, int payloadIndex) {
            List<Request.Header> own = payloads.isEmpty() ? List.of() : payloads.get(payloadIndex).headers();
            List<Request.Header> headers = new ArrayList<>(headerNames.size() + own.size());
            for (int i = 0; i < headerNames.size(); i++) {
                headers.add(new Request.Header(headerNames.get(i), boundHeaders[payloadIndex][i].render(n)));
            }
            headers.addAll(own);
            Body body = null;
            String contentType = null;
            if (bodyTemplate != null) {
                body = boundBodies[payloadIndex].renderBody(n);
                contentType = bodyContentType;
            } else if (!payloads.isEmpty()) {
                Payload p = payloads.get(payloadIndex);
                body = Body.of(p.bytes());
                contentType = p.contentType();
            }
            return new Request(method, target, headers, body, contentType, payloads.isEmpty() ? -1 : payloadIndex,
                    constant);
        }
    }

    /** Builds a {@link Workload}. */
    public static final class Builder {
        private final URI target;
        private String method;
        private final List<String> headerNames = new ArrayList<>();
        private final List<Template> headerValues = new ArrayList<>();
        private Template bodyTemplate;
        private String bodyContentType = "application/json";
        private List<Payload> payloads = List.of();
        private PayloadOrder order = PayloadOrder.SEQUENTIAL;
        private long seed = 1;
        private List<String> checks = List.of();

        private Builder(URI target) {
            this.target = checkTarget(target);
        }

        private static URI checkTarget(URI target) {
            if (target == null || target.getScheme() == null || target.getHost() == null
                    || !(target.getScheme().equalsIgnoreCase("http") || target.getScheme().equalsIgnoreCase("https"))) {
                throw new IllegalArgumentException("target must be an absolute http:// or https:// URL, got " + target);
            }
            return target;
        }

        /** @param m HTTP method, e.g. GET or POST; default GET, or POST when there is a body */
        public Builder method(String m) {
            if (m == null || !m.matches("[A-Za-z]+")) {
                throw new IllegalArgumentException("method must be a word such as GET or POST, got " + m);
            }
            this.method = m.toUpperCase(Locale.ROOT);
            return this;
        }

        /**
         * @param name header name
         * @param valueTemplate value, may hold template variables
         */
        public Builder header(String name, String valueTemplate) {
            if (name == null || name.isBlank() || name.contains(":")) {
                throw new IllegalArgumentException("bad header name '" + name + "'");
            }
            headerNames.add(name.trim());
            headerValues.add(Template.parse(valueTemplate == null ? "" : valueTemplate));
            return this;
        }

        /**
         * @param template the body, may hold template variables; with {@link #payloads}, the body of each payload
         *     file (its payload variables filled from it)
         * @param contentType its content type; default {@code application/json}
         */
        public Builder body(String template, String contentType) {
            this.bodyTemplate = Template.parse(template);
            if (contentType != null) {
                this.bodyContentType = contentType;
            }
            return this;
        }

        /** @param p the payload files: the bodies as they are, or what a {@link #body} template is rendered for */
        public Builder payloads(List<Payload> p) {
            if (p == null || p.isEmpty()) {
                throw new IllegalArgumentException("payloads must not be empty");
            }
            this.payloads = List.copyOf(p);
            return this;
        }

        /**
         * @param specs checks every answer must pass ({@link ResponseChecks}: {@code status==200},
         *     {@code json:/pointer==VALUE}, {@code json:/pointer exists}, {@code body~REGEX}); default none
         */
        public Builder checks(List<String> specs) {
            this.checks = List.copyOf(specs);
            return this;
        }

        /** @param o how payloads are picked; default {@link PayloadOrder#SEQUENTIAL} */
        public Builder payloadOrder(PayloadOrder o) {
            this.order = o;
            return this;
        }

        /** @param s seed of the random payload order; default 1 */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * @throws IllegalArgumentException when a template uses a payload variable without payloads, or
         *     {@code ${label}} for a payload without a label, or a check is malformed
         */
        public Workload build() {
            if (payloads.isEmpty() && (bodyTemplate != null && bodyTemplate.usesPayload()
                    || headerValues.stream().anyMatch(Template::usesPayload))) {
                throw new IllegalArgumentException("${payload_b64}, ${payload_name} and ${label} need payload files:"
                        + " give --payload FILE|DIR with the template");
            }
            if (method == null) {
                method = (bodyTemplate != null || !payloads.isEmpty()) ? "POST" : "GET";
            }
            return new Workload(this);
        }
    }

    @Override
    public String toString() {
        return method + " " + target + (payloads.isEmpty() ? "" : " (" + payloads.size() + " payloads, " + order + ")");
    }
}
