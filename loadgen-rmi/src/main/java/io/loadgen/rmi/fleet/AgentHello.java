package io.loadgen.rmi.fleet;

import io.loadgen.core.control.RunState;
import java.io.Serializable;

/**
 * Who an agent is. Immutable.
 *
 * @param id its name (the host name and rmi port, or {@code --agent-id})
 * @param version its loadgen version
 * @param processors its available processors
 * @param state its run state
 */
public record AgentHello(String id, String version, int processors, RunState state) implements Serializable {
}
