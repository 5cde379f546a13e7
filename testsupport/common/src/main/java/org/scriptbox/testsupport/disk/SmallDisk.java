package org.scriptbox.testsupport.disk;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A tmpfs of a given size mounted on an empty folder (needs root), to fill up so that a test sees what a full disk
 * does. {@link #close} unmounts it (lazily: a file a failed test left open does not keep it).
 */
public final class SmallDisk implements AutoCloseable {
    public final Path root;

    private SmallDisk(Path root) {
        this.root = root;
    }

    /** A tmpfs of {@code size} (mount's syntax, e.g. {@code 256k}) on {@code emptyFolder}, or null if it cannot be mounted. */
    public static SmallDisk mount(Path emptyFolder, String size) throws IOException, InterruptedException {
        return run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", emptyFolder.toString()) == 0
                ? new SmallDisk(emptyFolder) : null;
    }

    /** Fills the file system and gives {@code free} bytes back; returns the filler file (delete it for the space). */
    public Path fill(int free) throws IOException {
        Path filler = root.resolve(".filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] k = new byte[4096];
            while (true) {
                out.write(k);
                out.flush();
            }
        } catch (IOException full) {
            // full
        }
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
            ch.truncate(Math.max(0, ch.size() - free));
        }
        return filler;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", "-l", root.toString());
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor();
    }
}
