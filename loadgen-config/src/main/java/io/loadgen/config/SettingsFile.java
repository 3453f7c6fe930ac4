package io.loadgen.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes a properties file of every setting with its default, its documentation, allowed values, flag and
 * environment variable as comments: the shipped {@code conf/sys.properties} is this file, and a test checks that it
 * is.
 */
public final class SettingsFile {
    /** Comment lines are wrapped to this width. */
    public static final int WIDTH = 118;

    private SettingsFile() {
    }

    /**
     * @param header lines of the opening comment (without {@code #})
     * @param groups the groups, in order
     * @return the file's text, with {@code \n} line ends
     */
    public static String render(List<String> header, List<SettingGroup> groups) {
        StringBuilder b = new StringBuilder();
        for (String h : header) {
            comment(b, h);
        }
        for (SettingGroup g : groups) {
            b.append('\n');
            String title = "# --- " + g.title() + " ";
            b.append(title).append("-".repeat(Math.max(3, WIDTH - title.length()))).append('\n');
            for (Setting<?> s : g.settings()) {
                comment(b, s.doc());
                StringBuilder how = new StringBuilder("Allowed: ").append(s.allowed()).append(". ");
                if (!s.flags().isEmpty()) {
                    how.append("Flag ").append(s.flags().get(0)).append(", environment ");
                } else {
                    how.append("No flag; environment ");
                }
                how.append(s.envName()).append('.');
                comment(b, how.toString());
                b.append(s.key()).append('=').append(escape(s.defaultText())).append('\n');
            }
        }
        return b.toString();
    }

    private static void comment(StringBuilder b, String text) {
        if (text.isEmpty()) {
            b.append("#\n");
            return;
        }
        for (String line : wrap(text, WIDTH - 2)) {
            b.append("# ").append(line).append('\n');
        }
    }

    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\");
    }
}
