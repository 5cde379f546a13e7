package org.scriptbox.api;

import java.time.Instant;

/**
 * One line a script wrote ({@code print}, {@code log_info} ...) or the container wrote about it.
 *
 * @param time        when
 * @param level       INFO, WARN or ERROR
 * @param scriptName  the script
 * @param executionId the execution, or {@code null} for lifecycle lines
 * @param message     the text
 */
public record ScriptLogEntry(Instant time, String level, String scriptName, String executionId, String message) {
}
