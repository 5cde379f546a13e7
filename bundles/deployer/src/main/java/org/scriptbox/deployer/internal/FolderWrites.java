package org.scriptbox.deployer.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces files so that no reader ever sees a half-written one (a hidden temporary name, then a rename),
 * and remembers what was there so that a refused import can put the folder back as it was.
 */
final class FolderWrites {
    /** A file's bytes before the change; null bytes: it did not exist. */
    private record Before(Path file, byte[] bytes) {
    }

    private final List<Before> before = new ArrayList<>();

    /** Writes {@code text} to {@code file}, or removes the file when text is null. */
    void put(Path file, String text) throws IOException {
        before.add(new Before(file, Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.readAllBytes(file) : null));
        if (text == null) {
            Files.deleteIfExists(file);
        } else {
            replace(file, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Puts every file back as it was, last change first. */
    void undo() throws IOException {
        for (int i = before.size() - 1; i >= 0; i--) {
            Before b = before.get(i);
            if (b.bytes() == null) {
                Files.deleteIfExists(b.file());
            } else {
                replace(b.file(), b.bytes());
            }
        }
        before.clear();
    }

    static void replace(Path file, byte[] bytes) throws IOException {
        // hidden and ending in .tmp: the deploy folder's watcher ignores it
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        // whatever sits on that name is removed, never written through: a link planted there by someone who may write
        // the folder would make the container write the script into the link's target (red-team R8). CREATE_NEW
        // (O_EXCL) also refuses a link that appears between the two steps.
        Files.deleteIfExists(tmp);
        Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
