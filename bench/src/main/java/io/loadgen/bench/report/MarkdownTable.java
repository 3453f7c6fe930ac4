package io.loadgen.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A markdown table whose columns are padded to the same width, so that it reads as well in a terminal as rendered.
 * Each column is aligned left or right (numbers); the separator line says so ({@code :---} or {@code ---:}). A
 * {@code |} in a cell is escaped.
 *
 * <pre>
 * String md = new MarkdownTable("tool", "rate").right(1).row("wrk2", "20000").render();
 * </pre>
 */
public final class MarkdownTable {
    private final String[] header;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    /**
     * @param header the column names; every column is left-aligned until {@link #right} says otherwise
     */
    public MarkdownTable(String... header) {
        if (header.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.header = header.clone();
        this.right = new boolean[header.length];
    }

    /**
     * @param columns indexes of the columns to align right
     * @return this
     */
    public MarkdownTable right(int... columns) {
        for (int c : columns) {
            right[c] = true;
        }
        return this;
    }

    /** @return this, with every column aligned right */
    public MarkdownTable allRight() {
        Arrays.fill(right, true);
        return this;
    }

    /**
     * @param cells one row; null cells are shown as "-"
     * @return this
     * @throws IllegalArgumentException if the row does not have one cell per column
     */
    public MarkdownTable row(String... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + header.length
                    + " columns: " + String.join(" | ", cells));
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] == null ? "-" : cells[i].replace("|", "\\|");
        }
        rows.add(r);
        return this;
    }

    /**
     * @param cells one row
     * @return this
     */
    public MarkdownTable row(List<String> cells) {
        return row(cells.toArray(String[]::new));
    }

    /** @return the number of rows, the header not counted */
    public int size() {
        return rows.size();
    }

    /** @return the table, one line per row, each ending with a newline */
    public String render() {
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, header, width);
        b.append('|');
        for (int i = 0; i < header.length; i++) {
            b.append(right[i] ? "-".repeat(width[i] + 1) + ":" : ":" + "-".repeat(width[i] + 1)).append('|');
        }
        b.append('\n');
        for (String[] r : rows) {
            line(b, r, width);
        }
        return b.toString();
    }

    private void line(StringBuilder b, String[] cells, int[] width) {
        b.append('|');
        for (int i = 0; i < cells.length; i++) {
            String pad = " ".repeat(width[i] - cells[i].length());
            b.append(' ').append(right[i] ? pad + cells[i] : cells[i] + pad).append(" |");
        }
        b.append('\n');
    }

    @Override
    public String toString() {
        return render();
    }
}
