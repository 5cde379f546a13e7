package org.scriptbox.shell.internal;

import java.time.Duration;

import org.apache.felix.gogo.jline.Shell;
import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;

/**
 * Ends the console's line reading when the framework begins to stop, so that a SIGTERM (or a REST or fleet stop)
 * ends the container at once and quietly.
 * <p>
 * Gogo JLine's own stop first closes the terminal, which puts it back into canonical mode, and only then interrupts
 * its shell thread. That thread is in a native read of the terminal by then, which no interrupt ends, so Gogo waits
 * 5 s and prints {@code !!! FAILED TO STOP EXECUTOR !!!}. Here, before any bundle stops, the shell is told to stop
 * and the line reader is interrupted the way a Ctrl-C at the prompt interrupts it, while the terminal is still raw:
 * JLine's read returns within its 100 ms poll, the shell sees it is stopping and its thread ends.
 */
final class ConsoleStop {
    /** How long the framework's stop waits for the prompt to go (JLine polls every 100 ms). */
    static final Duration BOUND = Duration.ofSeconds(2);

    private ConsoleStop() {
    }

    /** Nothing without a console (service mode) or while a command runs (Gogo's own stop interrupts that). */
    static void endReading(LineReader reader, Shell shell) {
        if (reader == null || shell == null || !reader.isReading()) {
            return;
        }
        shell.stop();
        try {
            reader.getTerminal().raise(Terminal.Signal.INT);
        } catch (RuntimeException closed) {
            return;   // the terminal is gone already: nothing reads it
        }
        long deadline = System.nanoTime() + BOUND.toNanos();
        // JLine offers no event for "the line reader returned": its flag is polled, within the bound
        while (reader.isReading() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
