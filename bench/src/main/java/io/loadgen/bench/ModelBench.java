package io.loadgen.bench;

import io.loadgen.bench.proc.ProcStat;
import io.loadgen.bench.server.ServerSettings;
import io.loadgen.server.batching.BatchListener;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.batching.DynamicBatcher;
import io.loadgen.server.batching.Lane;
import io.loadgen.server.batching.Prediction;
import io.loadgen.server.batching.Rejection;
import io.loadgen.server.image.BadImageException;
import io.loadgen.server.image.ImageDecoder;
import io.loadgen.server.image.ImagePreprocessor;
import io.loadgen.server.model.DefaultModel;
import io.loadgen.server.model.TensorFlowModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * In-process model throughput, and the server's pipeline in process, for
 * {@link io.loadgen.bench.server.ServerBench} (started by {@link io.loadgen.bench.server.InProcessRunner}): loads
 * the built-in MobileNetV2 with the given TensorFlow threads, warms it up as the server does
 * ({@code warmUp(batch)}), runs {@code predict} at one batch size back to back for a while to settle, then for
 * SECONDS, on images decoded and preprocessed once, before timing, with the server's own {@link ImagePreprocessor}
 * (model only). Then the pipeline (below), in the same JVM with the same model. Runs in a JVM of its own so that
 * nothing else in the JVM disturbs it.
 *
 * <p>Prints {@code MEASURE_START} and {@code MEASURE_END} around the timed part (the parent reads the CPU of the other
 * processes between them), then {@code RESULT batches=.. images=.. seconds=.. images_per_s=.. batch_ms_mean=..
 * batch_ms_p50=.. batch_ms_p99=.. cpu_pct=..} (cpu_pct: this process's CPU over the timed part, 100 = one core), and
 * then the pipeline, and last {@code PREPROCESS ms_per_image=.. images=.. decoder=..}: the time to decode and
 * preprocess one sample JPEG on one thread, warm, with the given decoder, which the server pays on its HTTP threads
 * for every request it accepts.
 *
 * <p>The pipeline is the server's work per request without HTTP, from encoded bytes, with the server's components:
 * an {@link ImageDecoder} of the given kind ({@code ImageDecoder.create}, as the server makes it) and a
 * {@link DynamicBatcher} over the same model with the server's settings for this max batch B (max delay 5 ms, queue
 * 2B+16, 1 worker). K = 2B+16 client threads, as many as the queue holds so that it stays full and nothing is shed,
 * each loop: the next sample file's bytes (round-robin, shared) -> {@code decoder.preprocess} ->
 * {@code batcher.submit(.., REALTIME, null).join()}. SETTLE_SECONDS untimed, then {@code PIPELINE_START} and
 * {@code PIPELINE_END} around SECONDS timed, then {@code PIPELINE images=.. seconds=.. images_per_s=.. batches=..
 * batch_mean=.. errors=.. threads=.. cpu_pct=.. decoder=..} (images completed in the timed part; batch_mean: the
 * mean batch the batcher ran in it; cpu_pct as in {@code RESULT}).
 *
 * <pre>
 * java -cp ... io.loadgen.bench.ModelBench BATCH SECONDS INTRA_OP INTER_OP IMAGES_DIR [SETTLE_SECONDS [DECODER]]
 * </pre>
 * DECODER: {@code tensorflow} (the default, as the server's) or {@code imageio}.
 */
public final class ModelBench {
    private ModelBench() {
    }

    public static void main(String[] args) throws Exception {
        int batch = Integer.parseInt(args[0]);
        double seconds = Double.parseDouble(args[1]);
        int intra = Integer.parseInt(args[2]);
        int inter = Integer.parseInt(args[3]);
        Path images = Path.of(args[4]);
        double settle = args.length > 5 ? Double.parseDouble(args[5]) : 2;
        ImageDecoder.Kind kind = args.length > 6 ? ImageDecoder.Kind.valueOf(args[6].toUpperCase(Locale.ROOT))
                : ImageDecoder.Kind.TENSORFLOW;

        List<float[]> inputs = preprocess(images);
        int per = DefaultModel.PREPROCESSING.valuesPerImage();
        // two batches with different images in a different order, used in turn
        float[][] batches = new float[2][batch * per];
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < batch; i++) {
                float[] img = inputs.get((i + b * 3) % inputs.size());
                System.arraycopy(img, 0, batches[b], i * per, per);
            }
        }

        long t0 = System.nanoTime();
        try (TensorFlowModel model = TensorFlowModel.load(DefaultModel.ensure(),
                TensorFlowModel.Options.defaults().withThreads(intra, inter))) {
            long loaded = System.nanoTime();
            model.warmUp(batch);
            long warmed = System.nanoTime();
            System.out.printf(Locale.ROOT, "LOADED load_ms=%d warmup_ms=%d images=%d%n", (loaded - t0) / 1_000_000,
                    (warmed - loaded) / 1_000_000, inputs.size());
            long settleEnd = System.nanoTime() + (long) (settle * 1e9);
            int k = 0;
            while (System.nanoTime() < settleEnd) {
                model.predict(batches[k++ & 1], batch);
            }

            System.out.println("MEASURE_START");
            System.out.flush();
            long cpu0 = selfCpuTicks();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long[] times = new long[1024];
            int n = 0;
            long now = start;
            while (now < end) {
                long s = now;
                float[][] out = model.predict(batches[k++ & 1], batch);
                if (out.length != batch) {
                    throw new IllegalStateException("got " + out.length + " rows for a batch of " + batch);
                }
                now = System.nanoTime();
                if (n == times.length) {
                    times = Arrays.copyOf(times, n * 2);
                }
                times[n++] = now - s;
            }
            long cpu1 = selfCpuTicks();
            double took = (now - start) / 1e9;
            System.out.println("MEASURE_END");
            long[] sorted = Arrays.copyOf(times, n);
            Arrays.sort(sorted);
            double mean = Arrays.stream(sorted).average().orElse(0) / 1e6;
            double cpuPct = cpu0 < 0 || cpu1 < 0 ? Double.NaN : 100.0 * (cpu1 - cpu0) / 100.0 / took;
            System.out.printf(Locale.ROOT, "RESULT batches=%d images=%d seconds=%.3f images_per_s=%.2f"
                    + " batch_ms_mean=%.2f batch_ms_p50=%.2f batch_ms_p99=%.2f cpu_pct=%.0f%n", n, (long) n * batch,
                    took, n * (double) batch / took, mean, at(sorted, 0.50) / 1e6, at(sorted, 0.99) / 1e6, cpuPct);
            System.out.flush();
            pipeline(model, batch, kind, readFiles(images), seconds, settle);
        }
        preprocessCost(images, settle, kind);
    }

    /** Counts the batches the batcher runs and the images in them; the rest is ignored. */
    private static final class BatchCount implements BatchListener {
        final AtomicLong batches = new AtomicLong();
        final AtomicLong images = new AtomicLong();

        @Override
        public void batchRan(int size, Duration inferenceTime) {
            batches.incrementAndGet();
            images.addAndGet(size);
        }

        @Override
        public void queued(Lane lane, Duration wait) {
        }

        @Override
        public void rejected(Rejection.Cause cause) {
        }
    }

    /**
     * The server's pipeline in process, from encoded bytes: decoder and batcher as the server has them, K client
     * threads instead of HTTP. Prints {@code PIPELINE_START}, {@code PIPELINE_END} and {@code PIPELINE ...}. Closes
     * the decoder and drains the batcher; the model stays open (the caller closes it).
     */
    private static void pipeline(TensorFlowModel model, int batch, ImageDecoder.Kind kind, List<byte[]> files,
            double seconds, double settle) throws InterruptedException {
        int queue = ServerSettings.queueSize(batch);
        BatcherConfig config = BatcherConfig.custom().maxBatch(batch).maxDelay(ServerSettings.MAX_DELAY_DURATION)
                .queueCapacity(queue).workers(ServerSettings.WORKERS).build();
        BatchCount counts = new BatchCount();
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong next = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<String> firstError = new ArrayList<>();
        ImageDecoder decoder = ImageDecoder.create(kind, DefaultModel.PREPROCESSING, ServerSettings.MAX_PIXELS);
        DynamicBatcher batcher = new DynamicBatcher(config, List.of(model), counts);
        List<Thread> clients = new ArrayList<>();
        try {
            for (int t = 0; t < queue; t++) {
                Thread c = new Thread(() -> {
                    while (!stop.get()) {
                        byte[] bytes = files.get((int) (next.getAndIncrement() % files.size()));
                        try {
                            float[] pixels = decoder.preprocess(bytes);
                            Prediction p = batcher.submit(pixels, Lane.REALTIME, null).join();
                            if (p.scores().length == 0) {
                                throw new IllegalStateException("no scores");
                            }
                            done.incrementAndGet();
                        } catch (BadImageException | RuntimeException e) {
                            if (!stop.get() && errors.getAndIncrement() == 0) {
                                synchronized (firstError) {
                                    firstError.add(e.toString());
                                }
                            }
                        }
                    }
                }, "pipeline-client-" + t);
                c.setDaemon(true);
                clients.add(c);
                c.start();
            }
            Thread.sleep((long) (settle * 1000));

            System.out.println("PIPELINE_START");
            System.out.flush();
            long cpu0 = selfCpuTicks();
            long images0 = done.get();
            long errors0 = errors.get();
            long batches0 = counts.batches.get();
            long batched0 = counts.images.get();
            long start = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long images1 = done.get();
            long batches1 = counts.batches.get();
            long batched1 = counts.images.get();
            long errors1 = errors.get();
            long now = System.nanoTime();
            long cpu1 = selfCpuTicks();
            System.out.println("PIPELINE_END");
            double took = (now - start) / 1e9;
            double cpuPct = cpu0 < 0 || cpu1 < 0 ? Double.NaN : 100.0 * (cpu1 - cpu0) / 100.0 / took;
            long images = images1 - images0;
            long batches = batches1 - batches0;
            System.out.printf(Locale.ROOT, "PIPELINE images=%d seconds=%.3f images_per_s=%.2f batches=%d"
                    + " batch_mean=%.2f errors=%d threads=%d cpu_pct=%.0f decoder=%s%n", images, took, images / took,
                    batches, batches == 0 ? Double.NaN : (batched1 - batched0) / (double) batches, errors1 - errors0,
                    queue, cpuPct, ServerSettings.decoderName(kind));
            synchronized (firstError) {
                if (!firstError.isEmpty()) {
                    System.out.println("PIPELINE_ERROR " + firstError.get(0));
                }
            }
            System.out.flush();
        } finally {
            stop.set(true);
            for (Thread c : clients) {
                c.join(30_000);
            }
            batcher.drain(Duration.ofSeconds(10));
            decoder.close();
        }
    }

    /**
     * What the server pays per request on its HTTP threads before the model: decoding and preprocessing one JPEG, on
     * one thread, warm. Prints {@code PREPROCESS ms_per_image=..}.
     */
    private static void preprocessCost(Path dir, double seconds, ImageDecoder.Kind kind)
            throws IOException, BadImageException {
        List<byte[]> files = readFiles(dir);
        try (ImageDecoder pre = ImageDecoder.create(kind, DefaultModel.PREPROCESSING, ServerSettings.MAX_PIXELS)) {
            long warmEnd = System.nanoTime() + (long) (seconds * 1e9);
            int i = 0;
            while (System.nanoTime() < warmEnd) {
                pre.preprocess(files.get(i++ % files.size()));
            }
            long start = System.nanoTime();
            long end = start + (long) (Math.max(1, seconds) * 1e9);
            int n = 0;
            long now = start;
            while (now < end) {
                pre.preprocess(files.get(i++ % files.size()));
                n++;
                now = System.nanoTime();
            }
            System.out.printf(Locale.ROOT, "PREPROCESS ms_per_image=%.3f images=%d decoder=%s%n",
                    (now - start) / 1e6 / n, n, ServerSettings.decoderName(kind));
            System.out.flush();
        }
    }

    /** @return the bytes of every JPEG/PNG of the directory, in name order */
    private static List<byte[]> readFiles(Path dir) throws IOException {
        List<byte[]> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                    .matches(".*\\.(jpe?g|png)")).sorted().toList()) {
                files.add(Files.readAllBytes(f));
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no JPEG or PNG in " + dir);
        }
        return files;
    }

    /** Decodes and preprocesses every JPEG/PNG of the directory once, as the server does on its HTTP threads. */
    private static List<float[]> preprocess(Path dir) throws IOException, BadImageException {
        ImagePreprocessor pre = new ImagePreprocessor(DefaultModel.PREPROCESSING, 64L * 1024 * 1024);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                    .sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("no JPEG or PNG in " + dir);
        }
        List<float[]> out = new ArrayList<>();
        for (Path f : files) {
            out.add(pre.preprocess(Files.readAllBytes(f)));
        }
        return out;
    }

    /** @return utime + stime of this process in clock ticks (1/100 s), or -1 */
    private static long selfCpuTicks() {
        return ProcStat.read(ProcessHandle.current().pid()).map(ProcStat::ownTicks).orElse(-1L);
    }

    private static long at(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1));
        return sorted[i];
    }
}
