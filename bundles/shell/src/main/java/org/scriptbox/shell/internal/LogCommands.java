package org.scriptbox.shell.internal;

import org.scriptbox.shell.command.ShellCommand;
import org.scriptbox.shell.command.ShellCommands;
import org.scriptbox.shell.command.Usage;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.scriptbox.api.text.SafeText;

/**
 * {@code log:display} and {@code log:tail} as in Karaf: the container's log file (DATA/log/scriptbox.log), its
 * last lines, and with {@code tail} every new line until Ctrl-C (a rolled-over file is followed from its start).
 */
@Component(service = {})
public class LogCommands {
    static final int MAX_LINES = 10_000;
    private static final long POLL_MILLIS = 200;
    private Path file;
    private ShellCommands registered;

    @Activate
    void activate(BundleContext context) {
        String data = context.getProperty("scriptbox.data");
        file = data == null ? null : Paths.get(data, "log", "scriptbox.log");
        registered = ShellCommands.register(context, List.of(
                new ShellCommand(Usage.of("log:display", "shows the last lines of the container's log file")
                        .withOption("-n", "--lines", "N", "50", "how many lines, 1 to " + MAX_LINES)
                        .withExample("log:display -n 100"), (s, a) -> display(a.intOption("--lines", 1, MAX_LINES))),
                new ShellCommand(Usage.of("log:tail", "shows the last lines of the container's log file and follows it until Ctrl-C")
                        .withOption("-n", "--lines", "N", "20", "how many lines first, 1 to " + MAX_LINES)
                        .withExample("log:tail"), (s, a) -> tail(s, a.intOption("--lines", 1, MAX_LINES)))));
    }

    @Deactivate
    void deactivate() {
        registered.unregister();
    }

    private String display(int lines) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            return "no log file (" + (file == null ? "scriptbox.data is not set" : SafeText.line(file.toString()) + " does not exist") + ")";
        }
        StringBuilder sb = new StringBuilder();
        last(lines).forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    private Object tail(CommandSession session, int lines) throws IOException {
        String first = display(lines);
        PrintStream out = System.out;   // the session's output in a command's thread
        out.print(first);
        out.flush();
        if (file == null) {
            return null;
        }
        long position = Files.isRegularFile(file) ? Files.size(file) : 0;
        StringBuilder partial = new StringBuilder();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(POLL_MILLIS);
                long size = Files.isRegularFile(file) ? Files.size(file) : 0;
                if (size < position) {
                    position = 0;   // rolled over: the new file from its start
                }
                if (size > position) {
                    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                        f.seek(position);
                        byte[] bytes = new byte[(int) Math.min(size - position, 1 << 20)];
                        f.readFully(bytes);
                        position += bytes.length;
                        partial.append(new String(bytes, StandardCharsets.UTF_8));
                    }
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        out.println(SafeText.line(partial.substring(0, nl)));
                        partial.delete(0, nl + 1);
                    }
                    out.flush();
                }
            }
        } catch (InterruptedException ctrlC) {
            // Ctrl-C ends the following; consumed (a restored flag would make Gogo print an InterruptedException)
        }
        return null;
    }

    /** The file's last lines, read from its end so a 10 MB file costs what the lines cost. */
    private Deque<String> last(int n) throws IOException {
        Deque<String> out = new ArrayDeque<>();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long end = f.length();
            long start = end;
            int block = 64 * 1024;
            byte[] buf = new byte[0];
            while (start > 0) {
                start = Math.max(0, start - block);
                byte[] more = new byte[(int) (end - start)];
                f.seek(start);
                f.readFully(more);
                buf = more;
                if (countNewlines(buf) > n || buf.length >= 16 << 20) {
                    break;
                }
            }
            String[] lines = new String(buf, StandardCharsets.UTF_8).split("\n");
            for (int i = Math.max(start > 0 ? 1 : 0, lines.length - n); i < lines.length; i++) {
                out.add(SafeText.line(lines[i]));
            }
        }
        return out;
    }

    private static int countNewlines(byte[] b) {
        int c = 0;
        for (byte x : b) {
            if (x == '\n') {
                c++;
            }
        }
        return c;
    }
}
