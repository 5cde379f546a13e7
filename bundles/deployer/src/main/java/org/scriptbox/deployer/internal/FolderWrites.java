package org.scriptbox.deployer.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Replaces a file so that no reader ever sees it half-written (a hidden temporary name, then a rename): export. */
final class FolderWrites {
    private FolderWrites() {
    }

    static void replace(Path file, byte[] bytes) throws IOException {
        // hidden and ending in .tmp: the deploy folder's watcher ignores it
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        // whatever sits on that name is removed, never written through: a link planted there by someone who may write
        // the folder would make the container write the script into the link's target (red-team R8). CREATE_NEW
        // (O_EXCL) also refuses a link that appears between the two steps.
        Files.deleteIfExists(tmp);
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);   // also after a failed write: a half temporary file must not keep a full disk full
        }
    }
}
