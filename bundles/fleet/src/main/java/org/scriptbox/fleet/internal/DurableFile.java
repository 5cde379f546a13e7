package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a small state file so that after a crash or a power loss it holds the old content or the new,
 * never an empty or half file: the new bytes are written to a temporary sibling and synced, renamed over
 * the file, and the folder is synced so the rename itself is on disk. A failed write (a full disk) removes
 * its temporary and leaves the file as it was.
 */
final class DurableFile {
    private DurableFile() {
    }

    static void replace(Path file, byte[] content) throws IOException {
        replace(file, content, false);
    }

    /** @param ownerOnly readable by its owner only from its first byte on (a private key) */
    static void replace(Path file, byte[] content, boolean ownerOnly) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        java.util.Set<java.nio.file.OpenOption> open = java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        java.nio.file.attribute.FileAttribute<?>[] attrs = ownerOnly && tmp.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new java.nio.file.attribute.FileAttribute<?>[] {java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))}
                : new java.nio.file.attribute.FileAttribute<?>[0];
        try (FileChannel ch = FileChannel.open(tmp, open, attrs)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        syncFolder(file.toAbsolutePath().getParent());
    }

    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a directory; the file's own content is synced already
        }
    }
}
