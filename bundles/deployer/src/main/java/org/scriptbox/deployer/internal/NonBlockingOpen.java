package org.scriptbox.deployer.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens a file of the deploy folder so that the open can never block the watcher. Checking the type first
 * and opening after is a race: a pipe renamed over the file in between makes a read-only open wait for a
 * writer for ever (FINDINGS F4: hot deploy dead, the container unable to stop). So:
 * <ul>
 * <li>open for read and write (never written): on Linux that does not wait on a pipe, and a pipe is then told
 *     apart from a file by seeking, which a pipe refuses;</li>
 * <li>a file the container may not write (read-only mode, another owner, a read-only mount) is opened read-only
 *     on a helper thread with a bound; an open that does not return is abandoned with a reason, and while one
 *     is still stuck no other read-only open is tried on a thread, so an attacker cannot pile up threads;</li>
 * <li>meanwhile read-only files are read by a child process ({@code head -c}) killed at the same bound: a pipe
 *     renamed away after the open began can hold a thread for ever (no writer can reach it any more), but a
 *     killed process always ends, so hot deploy goes on (FINDINGS F4 re-attack on a read-only mount).</li>
 * </ul>
 */
final class NonBlockingOpen {
    /** How long a read-only open may take before it is given up (a regular file opens in microseconds). */
    static final long READ_ONLY_OPEN_MILLIS = 2000;

    /** A pipe or other stream where a regular file was expected. */
    static final class NotAFile extends IOException {
        private static final long serialVersionUID = 1L;

        NotAFile() {
            super("not a regular file", null);
        }
    }

    static final AtomicInteger STUCK = new AtomicInteger();
    private static final ExecutorService OPENER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scriptbox-deploy-open");
        t.setDaemon(true);   // one stuck on a pipe must not keep the JVM alive
        return t;
    });

    private NonBlockingOpen() {
    }

    /** The file's content as a stream (at most {@code maxBytes + 1} bytes read). @throws NotAFile for a pipe */
    static java.io.InputStream open(Path file, int maxBytes) throws IOException {
        try {
            return java.nio.channels.Channels.newInputStream(open(file));
        } catch (StuckOpen e) {
            return new java.io.ByteArrayInputStream(readByChild(file, maxBytes));
        }
    }

    /** An earlier read-only open on a thread has not returned: read another way. */
    static final class StuckOpen extends FileSystemException {
        private static final long serialVersionUID = 1L;

        StuckOpen(Path file) {
            super(file.toString(), null, "an earlier open in the deploy folder has not returned (a pipe swapped in for a file?)");
        }
    }

    /** Reads up to {@code maxBytes + 1} bytes through {@code head}, killed if it has not finished within the bound. */
    static byte[] readByChild(Path file, int maxBytes) throws IOException {
        Process head = new ProcessBuilder("head", "-c", String.valueOf(maxBytes + 1L), "--", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        java.util.concurrent.ScheduledFuture<?> kill = KILLER.schedule(head::destroyForcibly, READ_ONLY_OPEN_MILLIS,
                TimeUnit.MILLISECONDS);
        byte[] bytes;
        try (java.io.InputStream out = head.getInputStream()) {
            bytes = out.readNBytes(maxBytes + 1);
        } finally {
            kill.cancel(false);
        }
        try {
            if (!head.waitFor(READ_ONLY_OPEN_MILLIS, TimeUnit.MILLISECONDS)) {
                head.destroyForcibly();
                throw new FileSystemException(file.toString(), null, "opening it did not finish (a pipe swapped in for a file?)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            head.destroyForcibly();
            throw new FileSystemException(file.toString(), null, "interrupted while reading");
        }
        if (head.exitValue() != 0) {
            throw new FileSystemException(file.toString(), null, head.exitValue() == 137 || head.exitValue() > 128
                    ? "opening it did not finish (a pipe swapped in for a file?)" : "permission denied or unreadable");
        }
        return bytes;
    }

    private static final java.util.concurrent.ScheduledExecutorService KILLER =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "scriptbox-deploy-read-bound");
                t.setDaemon(true);
                return t;
            });

    /** The file opened for reading, positioned at 0. @throws NotAFile if what was opened is a pipe */
    static FileChannel open(Path file) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (AccessDeniedException e) {
            return readOnly(file);
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().toLowerCase(java.util.Locale.ROOT).contains("read-only file system")) {
                return readOnly(file);
            }
            throw e;
        }
        return seekable(channel);
    }

    private static FileChannel seekable(FileChannel channel) throws IOException {
        try {
            channel.position(0);   // a pipe refuses to seek: "Illegal seek"
            return channel;
        } catch (IOException e) {
            channel.close();
            throw new NotAFile();
        }
    }

    static FileChannel readOnly(Path file) throws IOException {
        if (STUCK.get() > 0) {
            throw new StuckOpen(file);
        }
        Future<FileChannel> opening = OPENER.submit(() -> FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        try {
            return seekable(opening.get(READ_ONLY_OPEN_MILLIS, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            STUCK.incrementAndGet();
            // when the open returns at last (a writer came), release what it opened and allow read-only opens again
            OPENER.execute(() -> {
                try {
                    opening.get().close();
                } catch (Exception ignored) {
                    // it failed: nothing to close
                } finally {
                    STUCK.decrementAndGet();
                }
            });
            throw new FileSystemException(file.toString(), null, "opening it did not finish (a pipe swapped in for a file?)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opening.cancel(true);
            throw new FileSystemException(file.toString(), null, "interrupted while opening");
        }
    }
}
