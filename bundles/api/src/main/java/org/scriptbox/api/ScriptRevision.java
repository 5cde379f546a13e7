package org.scriptbox.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One version of a script kept in its history (script:history): every deploy of new content adds one,
 * the last N are kept in the manager's data area (since 1.5).
 *
 * @param number     the script's own counter, 1 for its first kept deploy; never reused
 * @param version    the metadata's semantic version
 * @param deployedAt when it went live
 * @param origin     where it came from (a file path, a bundle entry, "shell")
 * @param live       whether this is the content that is live now
 */
public record ScriptRevision(int number, String version, Instant deployedAt, String origin, boolean live) {
    public ScriptRevision {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(deployedAt, "deployedAt");
        origin = origin == null ? "" : origin;
    }
}
