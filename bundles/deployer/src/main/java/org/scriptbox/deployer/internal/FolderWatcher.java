package org.scriptbox.deployer.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells its listener which file names of one folder may have changed, at a cost that does not grow with the
 * number of files while nothing changes: the operating system's change events (inotify on Linux) name the
 * files, and a full listing, which stats every matching file, runs only at start, when the event queue
 * overflowed and every {@code rescanMillis} as a safety net for file systems without events (network
 * mounts). The listener's {@code tick} runs every {@code pollMillis} on the same thread.
 */
final class FolderWatcher implements AutoCloseable {
    interface Listener {
        void changed(Set<String> fileNames);

        void tick();
    }

    /** What a listing remembers of a file to notice a change it was not told about. */
    private record Seen(long size, long modified, boolean link, Object twinKey) {
        Seen(long size, long modified, boolean link) {
            this(size, modified, link, null);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(FolderWatcher.class);

    private final Path folder;
    private final long pollMillis;
    private final long rescanMillis;
    private final Predicate<String> relevant;
    private final Listener listener;
    private final Thread thread;
    /** Counted down once the watch thread has left its loop: no listener call after it. */
    private final java.util.concurrent.CountDownLatch leftLoop = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean stopped;
    /** Guards {@link #inWait}: whether the watch thread is in a wait that {@link #close} may interrupt. */
    private final Object wakeLock = new Object();
    private boolean inWait;
    private volatile WatchService watch;
    /** The directory the watch is on (the folder's path may be a link, and a link can be swapped): its file key. */
    private Object watchedKey;
    /** False once registration failed for a reason other than a missing folder: listings only from then on. */
    private boolean watchable = true;
    private Map<String, Seen> listed = new HashMap<>();
    private long listings;
    /**
     * Script files that are links, by the real file they lead to: an edit of that file raises an event for it only,
     * never for the link (FINDINGS L11: {@code x.lua -> y.lua} lagged y's edits by the rescan), so its event names
     * the links too. Rebuilt by every listing.
     */
    private final Map<Path, Set<String>> linkTargets = new HashMap<>();
    /** Script files by their file's identity, and the reverse: hard-linked twins share one (FINDINGS L11). */
    private final Map<Object, Set<String>> twins = new HashMap<>();
    private final Map<String, Object> twinKeyOf = new HashMap<>();
    /** Link name → its real target, the reverse of {@link #linkTargets}. */
    private final Map<String, Path> targetOf = new HashMap<>();
    /** The folder's real path at the last listing (its own path may be a link): link targets are real paths. */
    private Path realFolder;
    /** The folder's own watch key; other keys watch directories holding link targets (inside the folder). */
    private WatchKey folderKey;
    /** Directories watched for link targets, at most {@link #MAX_TARGET_DIRS}. */
    private final Set<Path> targetDirs = new java.util.HashSet<>();
    private static final int MAX_TARGET_DIRS = 64;

    FolderWatcher(Path folder, long pollMillis, long rescanMillis, Predicate<String> relevant, Listener listener) {
        this.folder = folder;
        this.pollMillis = pollMillis;
        this.rescanMillis = rescanMillis;
        this.relevant = relevant;
        this.listener = listener;
        this.thread = new Thread(this::run, "scriptbox-deploy-watch");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Whether the watch thread has left its loop (no listener call any more): for tests. */
    boolean leftItsLoop() {
        return leftLoop.getCount() == 0;
    }

    /** Whether the watch thread has ended (its watch service closed): for tests. */
    boolean ended() {
        return !thread.isAlive();
    }

    /** Full listings done so far (start, overflows, safety rescans): for tests and the benchmark. */
    synchronized long listings() {
        return listings;
    }

    private void run() {
        try {
            watchUntilStopped();
        } finally {
            leftLoop.countDown();
            // after close() has returned: closing an inotify instance waits for the kernel (see close())
            closeWatch();
        }
    }

    private void watchUntilStopped() {
        long nextListing = 0;
        while (!stopped) {
            try {
                if (watch != null && !Objects.equals(watchedKey, directoryKey())) {
                    closeWatch();   // the folder's path leads to another directory now (a swapped link): watch that one
                }
                if (watch == null && watchable) {
                    watch = register();
                    nextListing = 0;   // events before registration are lost: list once after it
                }
                long now = System.nanoTime();
                if (now - nextListing >= 0) {
                    listener.changed(listAndWatchTargets());
                    // without events (no folder yet, no watch service) a listing is the only way to notice
                    nextListing = now + TimeUnit.MILLISECONDS.toNanos(watch == null ? Math.min(rescanMillis, 1000) : rescanMillis);
                }
                Set<String> changed = watch == null ? idle() : drain();
                if (changed == null) {
                    listener.changed(listAndWatchTargets());   // the event queue overflowed: events were lost
                } else if (!changed.isEmpty()) {
                    listener.changed(changed);
                }
                listener.tick();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // never let one bad moment end hot deploy; the next round starts over
                LOG.error("deploy folder watch: {}", e.toString(), e);
                pause();
            }
        }
    }

    private Set<String> idle() {
        pause();
        return Set.of();
    }

    /** Events of up to one poll interval; null when some were lost. */
    private Set<String> drain() throws InterruptedException {
        Set<String> names = new LinkedHashSet<>();
        WatchKey key = waiting(() -> watch.poll(pollMillis, TimeUnit.MILLISECONDS));
        while (key != null) {
            boolean own = key == folderKey;
            Path dir = own ? (realFolder != null ? realFolder : folder) : (Path) key.watchable();
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    key.reset();
                    return null;
                }
                String name = String.valueOf(event.context());
                names.addAll(linksTo(dir.resolve(name)));
                if (!own) {
                    continue;   // a directory of link targets: only its links matter
                }
                if (relevant.test(name)) {
                    names.add(name);
                    noteLink(name);   // a new link, or a link that is a file now
                    names.addAll(twinsOf(name));
                } else if (mayBeLinkedThrough(folder.resolve(name))) {
                    // script files may be links through it (..data of a Kubernetes ConfigMap): their targets changed
                    // without an event of their own, so look at them all (red-team R2)
                    key.reset();
                    return null;
                }
            }
            if (!key.reset()) {
                if (own) {
                    closeWatch();   // the folder went away: register again when it is back
                    return names;
                }
                targetDirs.remove(dir);   // a target directory went away (a ConfigMap's old version): the listing knows
            }
            key = watch.poll();
        }
        return names;
    }

    /** The script files that are links to {@code file} (real path), none for most files. */
    private Set<String> linksTo(Path file) {
        if (linkTargets.isEmpty()) {
            return Set.of();
        }
        Set<String> links = linkTargets.get(file.toAbsolutePath().normalize());
        return links == null ? Set.of() : links;
    }

    /** A listing (which notes the links and watches their targets' directories). */
    private Set<String> listAndWatchTargets() {
        return list();
    }

    /** Remembers where the script file {@code name} leads if it is a link, and watches that file's directory. */
    private void noteLink(String name) {
        Path old = targetOf.remove(name);
        if (old != null) {
            Set<String> links = linkTargets.get(old);
            if (links != null && links.remove(name) && links.isEmpty()) {
                linkTargets.remove(old);
            }
        }
        Path file = folder.resolve(name);
        if (!Files.isSymbolicLink(file)) {
            return;
        }
        Path target;
        try {
            target = file.toRealPath();
        } catch (IOException dangling) {
            return;   // nothing to follow: the installer reports the link
        }
        targetOf.put(name, target);
        linkTargets.computeIfAbsent(target, t -> new LinkedHashSet<>()).add(name);
        Path dir = target.getParent();
        Path real = realFolder;
        WatchService ws = watch;
        if (ws == null || dir == null || real == null || dir.equals(real) || !dir.startsWith(real) || targetDirs.contains(dir)
                || targetDirs.size() >= MAX_TARGET_DIRS) {
            // the folder's own files raise events already; links out of the folder are refused anyway; past the cap
            // the safety listing every rescanMillis finds the edits
            return;
        }
        try {
            dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            targetDirs.add(dir);
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot watch {} for link targets: {}", dir, e.toString());
        }
    }

    /** A link or a directory inside the folder: a script file's link may lead through it. */
    private static boolean mayBeLinkedThrough(Path p) {
        return Files.isSymbolicLink(p) || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** The identity of the directory the folder's path leads to now, or null. */
    private Object directoryKey() {
        try {
            return Files.readAttributes(folder, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private WatchService register() {
        if (!Files.isDirectory(folder)) {
            return null;   // not there (yet): the listings notice when it is
        }
        try {
            watchedKey = directoryKey();
            WatchService ws = folder.getFileSystem().newWatchService();
            folderKey = folder.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            targetDirs.clear();   // a new watch service: target directories are registered again after the next listing
            return ws;
        } catch (IOException e) {
            LOG.warn("cannot watch the deploy folder {} ({}); listing it every {} ms instead", folder,
                    DeployFolder.reason(e), rescanMillis);
            watchable = false;
            return null;
        }
    }

    /** Names whose size, time or link-ness differ from the last listing, and names that left. */
    private Set<String> list() {
        Map<String, Seen> now = new HashMap<>();
        Set<String> changed = new LinkedHashSet<>();
        if (Files.isDirectory(folder)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (!relevant.test(name)) {
                        continue;
                    }
                    Seen seen = seen(file);
                    now.put(name, seen);

                    if (!seen.equals(listed.get(name))) {
                        changed.add(name);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot list the deploy folder {}: {}", folder, e instanceof IOException io ? DeployFolder.reason(io) : e.toString());
                return changed;   // keep the old picture; nothing is removed on a failed listing
            }
        }
        for (String gone : listed.keySet()) {
            if (!now.containsKey(gone)) {
                changed.add(gone);
            }
        }
        listed = now;
        try {
            realFolder = folder.toRealPath();
        } catch (IOException e) {
            realFolder = folder.toAbsolutePath().normalize();
        }
        linkTargets.clear();
        targetOf.clear();
        twins.clear();
        twinKeyOf.clear();
        now.forEach((name, seen) -> {
            if (seen.link()) {
                noteLink(name);
            }
            if (seen.twinKey() != null) {
                noteTwin(name, seen.twinKey());
            }
        });
        synchronized (this) {
            listings++;
        }
        return changed;
    }

    private static Seen seen(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                // an edit of the link's target raises no event for the link: the listing must see the target
                try {
                    a = Files.readAttributes(file, BasicFileAttributes.class);
                } catch (IOException dangling) {
                    return new Seen(-2, -2, true);
                }
                return new Seen(a.size(), a.lastModifiedTime().toMillis(), true);
            }
            return new Seen(a.size(), a.lastModifiedTime().toMillis(), false, a.isRegularFile() ? a.fileKey() : null);
        } catch (IOException e) {
            return new Seen(-1, -1, false);
        }
    }

    /**
     * Remembers each script file's identity (device and inode, from the same stat as its size: free), so that names
     * of one file (hard links: their edits raise an event for one name only) are found.
     */
    private void noteTwin(String name, Object key) {
        Object old = twinKeyOf.remove(name);
        if (old != null) {
            Set<String> names = twins.get(old);
            if (names != null && names.remove(name) && names.isEmpty()) {
                twins.remove(old);
            }
        }
        if (key != null) {
            twinKeyOf.put(name, key);
            twins.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(name);
        }
    }

    /** The names of the file {@code name} names, when it has hard-linked twins in the folder (else none). */
    private Set<String> twinsOf(String name) {
        Path file = folder.resolve(name);
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Object key = a.isRegularFile() ? a.fileKey() : null;
            noteTwin(name, key);
            Set<String> names = key == null ? null : twins.get(key);
            return names == null || names.size() < 2 ? Set.of() : Set.copyOf(names);
        } catch (IOException gone) {
            noteTwin(name, null);
            return Set.of();
        }
    }

    private void pause() {
        try {
            waiting(() -> {
                Thread.sleep(pollMillis);   // pacing a retry, not synchronising with anything
                return null;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }

    private interface Wait<T> {
        T run() throws InterruptedException;
    }

    /**
     * A wait of the watch thread that {@link #close} may cut short by an interrupt: only such a wait is ever
     * interrupted (never a listener call, whose file reads an interrupt would break), and an interrupt that comes
     * as the wait ends is cleared.
     */
    private <T> T waiting(Wait<T> wait) throws InterruptedException {
        synchronized (wakeLock) {
            if (stopped) {
                throw new InterruptedException("stopped");
            }
            inWait = true;
        }
        try {
            return wait.run();
        } finally {
            synchronized (wakeLock) {
                inWait = false;
                Thread.interrupted();
            }
        }
    }

    private void closeWatch() {
        try {
            if (watch != null) {
                watch.close();
            }
        } catch (IOException ignored) {
            // closing a watch service has nothing to report
        }
        watch = null;
    }

    /**
     * Stops the watching: when this returns, the listener is not called again. It waits for the watch thread to leave
     * its loop (at once from a poll, or at the end of the listener call it is in), not for the watch service to
     * close: closing it (the JDK's inotify instance) waits for the kernel to let go of it, which took 0.5 s and more
     * on a loaded machine, and the container's stop on SIGTERM waited for it (1.5-1.9 s in all with FileInstall's own
     * watch of etc/). The watch thread closes it on its way out.
     */
    @Override
    public void close() {
        synchronized (wakeLock) {
            stopped = true;
            if (inWait) {
                thread.interrupt();   // a poll or pause: it ends now, not at its timeout
            }
        }
        try {
            if (thread.getState() != Thread.State.NEW) {   // never started: nothing to wait for
                leftLoop.await(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
