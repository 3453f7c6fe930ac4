package io.loadgen.bench.server;

import io.loadgen.bench.report.ProgressLog;
import java.util.ArrayList;
import java.util.List;

/** The notes under the server benchmark's report, in the order they arose: failed steps, errors, disturbances. */
public final class Notes {
    private final List<String> notes = new ArrayList<>();
    private final ProgressLog log;

    /**
     * @param log where {@link #addAndLog} also writes
     */
    public Notes(ProgressLog log) {
        this.log = log;
    }

    /**
     * @param note one line
     */
    public void add(String note) {
        notes.add(note);
    }

    /**
     * Adds a note and prints it as progress as well.
     *
     * @param note one line
     */
    public void addAndLog(String note) {
        notes.add(note);
        log.log("%s", note);
    }

    /**
     * Notes a step during which other processes took more than half a core.
     *
     * @param step e.g. "HTTP max batch 8"
     * @param cpu the CPU over the step
     */
    public void othersIfBusy(String step, StepCpu cpu) {
        if (cpu.othersPct() > 50) {
            addAndLog(String.format(java.util.Locale.ROOT, "%s: other processes used %.0f%% of a core (%s)", step,
                    cpu.othersPct(), cpu.topOthers()));
        }
    }

    /** @return the notes so far */
    public List<String> all() {
        return List.copyOf(notes);
    }
}
