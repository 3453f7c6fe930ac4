package io.loadgen.core.engine;

import java.util.Arrays;

/**
 * A request's body: one array of bytes, or runs of arrays sent one after the other. A template with a per-request
 * variable ({@code ${seq}}) renders to runs that share the template's literal text, encoded once, with the few bytes
 * of the variable between them: a 350 KB body with a request id costs a few bytes a request, not 350 KB. Immutable;
 * the arrays are shared and must not be modified.
 */
public final class Body {
    private final byte[][] parts;
    private final int length;

    private Body(byte[][] parts) {
        this.parts = parts;
        long n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a body of " + n + " bytes is over 2 GiB");
        }
        this.length = (int) n;
    }

    /** @return a body of these bytes (shared, not copied) */
    public static Body of(byte[] bytes) {
        return new Body(new byte[][] {bytes});
    }

    /** @return a body of these runs, in order (the array is taken, and the runs shared, not copied) */
    static Body ofParts(byte[]... parts) {
        return new Body(parts);
    }

    /** @return its length in bytes */
    public int length() {
        return length;
    }

    /** @return how many runs it is made of, {@code >= 1} */
    public int parts() {
        return parts.length;
    }

    /** @return run {@code i} (shared: do not modify) */
    public byte[] part(int i) {
        return parts[i];
    }

    /** @return the body as one array: the array itself when it is one, else a copy of the runs joined */
    public byte[] toArray() {
        if (parts.length == 1) {
            return parts[0];
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Override
    public String toString() {
        return "Body[" + length + " bytes in " + parts.length + " part(s)]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Body b && b.length == length && Arrays.equals(b.toArray(), toArray());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toArray());
    }
}
