package org.scriptbox.api;

/**
 * A lifecycle change of a script, delivered to {@link ScriptListener}s.
 *
 * @param type   what happened
 * @param script the script after the change (for UNDEPLOYED: before)
 */
public record ScriptEvent(Type type, ScriptInfo script) {
    public enum Type {
        /** A script became runnable: first deploy, or resolved after waiting. */
        DEPLOYED,
        /** A new version replaced the live one. */
        UPDATED,
        /** A script stopped being runnable: it went UNRESOLVED. */
        UNRESOLVED,
        /** An update was refused; the previous version stays live. */
        UPDATE_FAILED,
        /** The script was removed. */
        UNDEPLOYED
    }
}
