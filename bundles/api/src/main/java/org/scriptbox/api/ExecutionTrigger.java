package org.scriptbox.api;

/**
 * Who asked for a run, for the fair share of execution capacity: runs the container starts on its own
 * (schedules) share the slots left after the operators' reserve, each script at most its own share of
 * them; an operator's run (shell, API) may also use the reserve, so it gets through while schedules
 * keep the container busy.
 */
public enum ExecutionTrigger {
    /** The shell or another caller of {@link ScriptManager#execute(String, java.util.List)}. */
    OPERATOR,
    /** The scheduler: fired without anyone waiting for it. */
    SCHEDULE
}
