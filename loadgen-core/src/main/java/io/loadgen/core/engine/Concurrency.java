package io.loadgen.core.engine;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code concurrency} setting: 0 (open loop), one number of closed-loop sessions, or a list of them for a sweep
 * ({@code 1,2,4,8}: one trial per level).
 *
 * @param levels the levels, each in {@code [1, RunPlan.MAX_CONCURRENCY]}; empty for open loop
 */
public record Concurrency(List<Integer> levels) implements Serializable {
    /** Open loop. */
    public static final Concurrency OPEN = new Concurrency(List.of());

    public Concurrency {
        levels = List.copyOf(levels);
        for (int n : levels) {
            if (n < 1 || n > RunPlan.MAX_CONCURRENCY) {
                throw new IllegalArgumentException("a concurrency level must be in [1, " + RunPlan.MAX_CONCURRENCY
                        + "], got " + n);
            }
        }
    }

    /**
     * @param text {@code 0}, {@code N} or {@code N1,N2,...}
     * @throws IllegalArgumentException for anything else
     */
    public static Concurrency parse(String text) {
        String t = text.trim();
        if (t.isEmpty() || t.equals("0")) {
            return OPEN;
        }
        List<Integer> levels = new ArrayList<>();
        for (String part : t.split(",")) {
            try {
                levels.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + part.trim() + "' is not a number of sessions");
            }
        }
        return new Concurrency(levels);
    }

    /** @return the text {@link #parse} reads back */
    public String format() {
        if (levels.isEmpty()) {
            return "0";
        }
        StringBuilder b = new StringBuilder();
        for (int n : levels) {
            b.append(b.length() == 0 ? "" : ",").append(n);
        }
        return b.toString();
    }

    /** @return the first level, or 0 for open loop */
    public int first() {
        return levels.isEmpty() ? 0 : levels.get(0);
    }

    /** @return whether this is a sweep over several levels */
    public boolean isSweep() {
        return levels.size() > 1;
    }
}
