package io.loadgen.rmi;

import java.io.ObjectInputFilter;

/** The JEP 290 filter of the control object: the core's DTO records and the JDK types they hold, and nothing else. */
public final class SerialFilters {
    /**
     * What a remote caller may send: rate profiles, run plans and the JDK types inside them (Duration, immutable
     * lists, strings, boxed numbers, enums; an array is matched by its element type, so {@code java.lang.Object}
     * admits the {@code Object[]} inside an immutable list, and arrays of primitives pass on the limits alone). Everything else, a HashMap included, is rejected
     * before it is deserialized. Limits keep a hostile stream small.
     */
    public static final String PATTERN = "maxdepth=20;maxrefs=100000;maxbytes=16000000;maxarray=2000000;"
            + "io.loadgen.core.schedule.ConstantRate;io.loadgen.core.schedule.StepRate;"
            + "io.loadgen.core.schedule.StepRate$Step;io.loadgen.core.schedule.RampRate;"
            + "io.loadgen.core.schedule.SineRate;io.loadgen.core.schedule.TraceRate;"
            + "io.loadgen.core.schedule.ArrivalProcess$Arrival;io.loadgen.core.engine.RunPlan;"
            + "io.loadgen.core.schedule.ArrivalShare;"
            + "java.lang.Enum;java.lang.String;java.lang.Number;java.lang.Double;java.lang.Long;java.lang.Integer;"
            + "java.time.Duration;java.time.Ser;java.util.ImmutableCollections$List12;"
            + "java.util.ImmutableCollections$ListN;java.util.CollSer;java.lang.Object;!*";

    /** The login object takes a token: a string, and nothing else. */
    public static final ObjectInputFilter LOGIN = ObjectInputFilter.Config.createFilter(
            "maxdepth=2;maxrefs=10;maxbytes=10000;java.lang.String;!*");

    /**
     * What a coordinator may send an agent: what {@link #PATTERN} admits and the start record, whose flags are
     * strings in an immutable list.
     */
    public static final String AGENT_PATTERN = PATTERN.replace(";!*", ";io.loadgen.rmi.fleet.AgentStart;!*");

    /** The filter of an agent's object, built from {@link #AGENT_PATTERN}. */
    public static final ObjectInputFilter AGENT = ObjectInputFilter.Config.createFilter(AGENT_PATTERN);

    /** The filter built from {@link #PATTERN}. */
    public static final ObjectInputFilter CONTROL = ObjectInputFilter.Config.createFilter(PATTERN);

    private SerialFilters() {
    }
}
