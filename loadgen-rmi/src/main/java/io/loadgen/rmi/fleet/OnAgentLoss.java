package io.loadgen.rmi.fleet;

/** What to do when an agent is lost. */
public enum OnAgentLoss {
    /** End the run: stop the other agents and keep what was received. */
    ABORT,
    /** Go on with the other agents (the lost agent's share is not sent by anyone). */
    CONTINUE
}
