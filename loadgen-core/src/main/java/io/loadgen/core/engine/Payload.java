package io.loadgen.core.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One request body read from a file.
 *
 * @param name the file name, for messages
 * @param bytes the body; shared, not to be modified
 * @param contentType its content type, from the file extension unless given
 */
public record Payload(String name, byte[] bytes, String contentType) {
    /** Largest total size of the payloads of one run: 512 MiB (they are held in memory). */
    public static final long MAX_TOTAL_BYTES = 512L << 20;

    /**
     * Reads a file, or every regular file of a directory (not recursing, hidden files skipped) in name order.
     *
     * @param fileOrDirectory where the payloads are
     * @param contentType the content type of all of them, or {@code null} to guess from each extension
     * @return at least one payload
     * @throws IllegalArgumentException when nothing can be read, or the total exceeds {@link #MAX_TOTAL_BYTES}
     */
    public static List<Payload> read(Path fileOrDirectory, String contentType) {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(fileOrDirectory)) {
            try (Stream<Path> s = Files.list(fileOrDirectory)) {
                s.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().startsWith("."))
                        .sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot list payload directory " + fileOrDirectory + ": " + e, e);
            }
        } else if (Files.isRegularFile(fileOrDirectory)) {
            files.add(fileOrDirectory);
        } else {
            throw new IllegalArgumentException("payload " + fileOrDirectory + " is neither a file nor a directory");
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("payload directory " + fileOrDirectory + " holds no files");
        }
        List<Payload> payloads = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            try {
                byte[] bytes = Files.readAllBytes(f);
                total += bytes.length;
                if (total > MAX_TOTAL_BYTES) {
                    throw new IllegalArgumentException("payloads in " + fileOrDirectory + " exceed "
                            + (MAX_TOTAL_BYTES >> 20) + " MiB");
                }
                String name = f.getFileName().toString();
                payloads.add(new Payload(name, bytes, contentType != null ? contentType : guessContentType(name)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read payload " + f, e);
            }
        }
        return payloads;
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
