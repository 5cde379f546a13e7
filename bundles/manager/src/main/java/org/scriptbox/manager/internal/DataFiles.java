package org.scriptbox.manager.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;

/** Small files in the manager's data area, each replaced atomically, failures as one readable sentence. */
final class DataFiles {
    private DataFiles() {
    }

    /** Writes through a temporary file and a rename: a crash leaves the old file or the new one, never half. */
    static void writeAtomically(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            // after a failed write too: a half temporary file (up to 4 MB of a script) would keep a full disk full
            Files.deleteIfExists(tmp);
        }
    }

    /** An IO failure for operators: what could not be done and why, without Java's exception text. */
    static ScriptException failure(String what, IOException e) {
        return new ScriptException(ScriptError.of(ErrorKind.IO, what + ": " + reason(e)));
    }

    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.contains("No space left")) {
            return "no space left on the device";
        }
        return "input/output error";
    }
}
