package io.loadgen.core.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One request body read from a file, with its label when the payload set has labels.
 *
 * @param name the file name (for a labelled directory, {@code <label>/<file>}), for messages and
 *     {@code ${payload_name}}
 * @param bytes the body; shared, not to be modified
 * @param contentType its content type, from the file extension unless given
 * @param label what the file is, for {@code ${label}} and checks; empty when the set has no labels
 * @param headers headers sent with this body and no other (after the workload's own), e.g. the
 *     {@code Inference-Header-Content-Length} of a KServe v2 binary body; usually empty
 */
public record Payload(String name, byte[] bytes, String contentType, Optional<String> label,
        List<Request.Header> headers) {
    /** Largest total size of the payloads of one run: 512 MiB (they are held in memory). */
    public static final long MAX_TOTAL_BYTES = 512L << 20;
    /** The file of a payload directory that labels its files: lines {@code file,label}. */
    public static final String LABELS_FILE = "labels.csv";

    public Payload {
        label = label == null ? Optional.empty() : label;
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    /** A payload without headers of its own. */
    public Payload(String name, byte[] bytes, String contentType, Optional<String> label) {
        this(name, bytes, contentType, label, List.of());
    }

    /** A payload without a label. */
    public Payload(String name, byte[] bytes, String contentType) {
        this(name, bytes, contentType, Optional.empty());
    }

    /**
     * Reads a file, or a directory in name order (hidden files skipped), in one of three layouts:
     * <ul>
     *   <li>regular files: each is a payload, without a label (sub-directories are ignored);
     *   <li>regular files and a {@value #LABELS_FILE} of {@code file,label} lines (an optional {@code file,label}
     *       header; a label may be quoted): each listed file is a payload with its label, and every file must be
     *       listed;
     *   <li>only sub-directories (the ImageFolder convention, {@code DIR/<label>/<file>}): each file of each
     *       sub-directory is a payload labelled with the sub-directory's name, named {@code <label>/<file>}.
     * </ul>
     *
     * @param fileOrDirectory where the payloads are
     * @param contentType the content type of all of them, or {@code null} to guess from each extension
     * @return at least one payload
     * @throws IllegalArgumentException when nothing can be read, a label is missing or malformed, or the total
     *     exceeds {@link #MAX_TOTAL_BYTES}
     */
    public static List<Payload> read(Path fileOrDirectory, String contentType) {
        if (Files.isRegularFile(fileOrDirectory)) {
            return List.of(load(fileOrDirectory, fileOrDirectory.getFileName().toString(), contentType,
                    Optional.empty(), new long[1], fileOrDirectory));
        }
        if (!Files.isDirectory(fileOrDirectory)) {
            throw new IllegalArgumentException("payload " + fileOrDirectory + " is neither a file nor a directory");
        }
        List<Path> files = list(fileOrDirectory, Files::isRegularFile);
        Path labelsFile = fileOrDirectory.resolve(LABELS_FILE);
        List<Payload> payloads = new ArrayList<>();
        long[] total = new long[1];
        if (files.contains(labelsFile)) {
            Map<String, String> labels = readLabels(labelsFile);
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (f.equals(labelsFile)) {
                    continue;
                }
                String label = labels.get(name);
                if (label == null) {
                    throw new IllegalArgumentException(labelsFile + " gives no label for " + name
                            + ": list every file of the directory (file,label)");
                }
                payloads.add(load(f, name, contentType, Optional.of(label), total, fileOrDirectory));
            }
            for (String listed : labels.keySet()) {
                if (!Files.isRegularFile(fileOrDirectory.resolve(listed))) {
                    throw new IllegalArgumentException(labelsFile + " lists " + listed + ", which is not a file of "
                            + fileOrDirectory);
                }
            }
        } else if (files.isEmpty()) {
            for (Path dir : list(fileOrDirectory, Files::isDirectory)) {
                String label = dir.getFileName().toString();
                for (Path f : list(dir, Files::isRegularFile)) {
                    payloads.add(load(f, label + "/" + f.getFileName(), contentType, Optional.of(label), total,
                            fileOrDirectory));
                }
            }
        } else {
            for (Path f : files) {
                payloads.add(load(f, f.getFileName().toString(), contentType, Optional.empty(), total,
                        fileOrDirectory));
            }
        }
        if (payloads.isEmpty()) {
            throw new IllegalArgumentException("payload directory " + fileOrDirectory + " holds no files");
        }
        return payloads;
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> kind) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(kind).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list payload directory " + dir + ": " + e, e);
        }
    }

    private static Payload load(Path f, String name, String contentType, Optional<String> label, long[] total,
            Path root) {
        try {
            byte[] bytes = Files.readAllBytes(f);
            total[0] += bytes.length;
            if (total[0] > MAX_TOTAL_BYTES) {
                throw new IllegalArgumentException("payloads in " + root + " exceed " + (MAX_TOTAL_BYTES >> 20)
                        + " MiB");
            }
            return new Payload(name, bytes, contentType != null ? contentType : guessContentType(name), label);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read payload " + f, e);
        }
    }

    /** Reads {@code file,label} lines: an optional header, blank lines and {@code #} comments skipped. */
    static Map<String, String> readLabels(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")
                    || (n == 0 && line.replace(" ", "").equalsIgnoreCase("file,label"))) {
                continue;
            }
            int comma = line.indexOf(',');
            if (comma <= 0 || comma == line.length() - 1) {
                throw new IllegalArgumentException(file + " line " + (n + 1) + ": expected 'file,label', got '"
                        + line + "'");
            }
            String name = line.substring(0, comma).strip();
            String label = line.substring(comma + 1).strip();
            if (label.length() >= 2 && label.startsWith("\"") && label.endsWith("\"")) {
                label = label.substring(1, label.length() - 1);
            }
            if (labels.put(name, label) != null) {
                throw new IllegalArgumentException(file + " line " + (n + 1) + ": " + name + " is labelled twice");
            }
        }
        return labels;
    }

    /** @return the usual content type for a file name's extension; {@code application/octet-stream} if unknown */
    public static String guessContentType(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (n.endsWith(".png")) {
            return "image/png";
        }
        if (n.endsWith(".json")) {
            return "application/json";
        }
        if (n.endsWith(".txt")) {
            return "text/plain";
        }
        return "application/octet-stream";
    }
}
