package org.scriptbox.scheduler.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one state file is saved. Logs one WARN when saving starts failing (and again only if the reason
 * changes), one INFO when it works again: a full disk gives one line, not one per fire or per retry. The
 * current problem is a sentence for the operator, without Java exception text.
 */
final class SaveStatus {
    private static final Logger LOG = LoggerFactory.getLogger(SaveStatus.class);

    private final String what;
    private final Path file;
    private final String consequence;
    private String reason;   // guarded by this; null while saving works
    private int warnings;    // guarded by this

    /**
     * @param what        what the file holds, e.g. "the schedules set by hand"
     * @param consequence what a failed save means until it works again, one clause
     */
    SaveStatus(String what, Path file, String consequence) {
        this.what = what;
        this.file = file;
        this.consequence = consequence;
    }

    synchronized void failed(IOException e) {
        String now = reason(e);
        if (!now.equals(reason)) {
            warnings++;
            LOG.warn("could not save {} to {}: {}; {}; retrying", what, file, now, consequence);
        }
        reason = now;
    }

    synchronized void saved() {
        if (reason != null) {
            LOG.info("{} saved to {} again", what, file);
            reason = null;
        }
    }

    /** WARN lines logged so far: one per condition. */
    synchronized int warnings() {
        return warnings;
    }

    /** One sentence while saving fails, for the shell. */
    synchronized Optional<String> problem() {
        return reason == null ? Optional.empty()
                : Optional.of("could not save " + what + " to " + file + ": " + reason + "; " + consequence);
    }

    /** The operating system's reason, in words ("No space left on device", "permission denied"). */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? "input/output error" : message;
    }
}
