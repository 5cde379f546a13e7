package org.scriptbox.deployer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * The deploy folder's rules for reading a file: only regular files are read; a symbolic link is followed
 * only to a file inside the folder; at most {@link BoundedText#MAX_BYTES} bytes are read whatever size the
 * file system reports; text must be UTF-8; every failure becomes a reason an operator understands
 * ("permission denied"), never a Java exception's text.
 */
final class DeployFolder {
    private final Path folder;
    private final int maxBytes;

    DeployFolder(Path folder, int maxBytes) {
        this.folder = folder.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
    }

    Path path() {
        return folder;
    }

    Path resolve(String fileName) {
        return folder.resolve(fileName);
    }

    /** Reads one file of the folder as a script or metadata text, or says why not. */
    FileState observe(String fileName) {
        Path file = folder.resolve(fileName);
        try {
            BasicFileAttributes own = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Path target = file;
            if (own.isSymbolicLink()) {
                Path real = file.toRealPath();
                if (!real.startsWith(folder.toRealPath())) {
                    return FileState.refused("is a link to " + real + ", outside the deploy folder; links out of the folder are refused");
                }
                target = real;
            }
            BasicFileAttributes attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                return FileState.NOT_A_FILE;   // a directory called x.lua, a pipe, a device: never opened
            }
            // the type may change between that check and the open (a pipe renamed over the file): the open cannot block
            try (InputStream in = NonBlockingOpen.open(target, maxBytes)) {
                byte[] bytes = BoundedText.readBytes(in, maxBytes);
                return FileState.text(bytes.length, attrs.lastModifiedTime().toMillis(), BoundedText.decode(bytes));
            }
        } catch (NonBlockingOpen.NotAFile e) {
            return FileState.NOT_A_FILE;
        } catch (NoSuchFileException e) {
            // gone, or a link to nothing: a dangling link is there, so say so
            return Files.isSymbolicLink(file) ? FileState.refused("is a link to a file that does not exist") : FileState.ABSENT;
        } catch (BoundedText.Refused e) {
            return FileState.refused(e.getMessage());
        } catch (IOException e) {
            return FileState.refused(reason(e));
        }
    }

    /** Why a file could not be read, in the words `ls` would use. */
    static String reason(IOException e) {
        if (e instanceof FileSystemLoopException || why(e).contains("too many levels of symbolic links")) {
            return "is a symbolic link that loops; it cannot be read";
        }
        String why = why(e);
        return why.isEmpty() ? "cannot be read" : "cannot be read: " + why;
    }

    /** The operating system's reason alone ("permission denied", "no space left on device"), or "" when there is none. */
    static String why(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason().toLowerCase(Locale.ROOT);
        }
        // a write's errno comes as a plain IOException with the system's words ("No space left on device", FINDINGS L5)
        String m = e.getMessage();
        if (e.getClass() == IOException.class && m != null && m.length() < 80 && m.matches("[A-Za-z][A-Za-z /'-]*")) {
            return m.toLowerCase(Locale.ROOT);
        }
        return "";
    }
}
