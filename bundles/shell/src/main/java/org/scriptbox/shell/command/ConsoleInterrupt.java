package org.scriptbox.shell.command;

import org.apache.felix.service.command.CommandSession;
import org.jline.terminal.Terminal;

/**
 * Ctrl-C in the console interrupts the thread that runs this scriptbox command, directly, for as long as it runs.
 * <p>
 * Gogo's own handler interrupts the session's foreground job, and in the console that is the root job
 * ({@code gosh --login}) whose children are every command typed so far: its first Ctrl-C cancels the command
 * and the root job with it, which leaves the session without a foreground job, so every later Ctrl-C reached
 * nothing (issue 16.6: a cancel seen in 1 of 3 console runs). The console's terminal is in the session as
 * {@code .terminal}; its INT handler is ours while the command runs, and Gogo's again afterwards (JLine's line
 * reader sets its own while a line is typed, so ours is never in the way of the prompt).
 */
public final class ConsoleInterrupt implements AutoCloseable {
    private static final ConsoleInterrupt NONE = new ConsoleInterrupt(null, null);
    /** The running command's own, for its waits to ask {@link #pressedForThisCommand()}. */
    private static final ThreadLocal<ConsoleInterrupt> CURRENT = new ThreadLocal<>();

    private final Terminal terminal;
    private final Thread command;
    private Terminal.SignalHandler previous;
    /** Guarded by this: once closed, a Ctrl-C that JLine was delivering meanwhile interrupts nothing. */
    private boolean active = true;
    /**
     * Set by a Ctrl-C while the command runs, besides the interrupt: a wait that polls it sees the Ctrl-C even when
     * the thread's interrupt flag was taken by something in between (ConsoleIT once saw a Ctrl-C go unanswered).
     */
    private volatile boolean pressed;

    private ConsoleInterrupt(Terminal terminal, Thread command) {
        this.terminal = terminal;
        this.command = command;
    }

    private synchronized void interrupt() {
        if (active) {
            pressed = true;
            command.interrupt();
        }
    }

    /** Whether Ctrl-C was pressed while the calling thread's scriptbox command runs (false without a console). */
    public static boolean pressedForThisCommand() {
        ConsoleInterrupt c = CURRENT.get();
        return c != null && c.pressed;
    }

    /** Forgets a Ctrl-C that was answered (a later wait of the same command waits again). */
    public static void answered() {
        ConsoleInterrupt c = CURRENT.get();
        if (c != null) {
            c.pressed = false;
        }
    }

    /** Ctrl-C interrupts the calling thread until {@link #close}; nothing without a console (service mode, REST). */
    static ConsoleInterrupt forThisCommand(CommandSession session) {
        Object t;
        try {
            t = session == null ? null : session.get(".terminal");
        } catch (RuntimeException e) {
            return NONE;
        }
        if (!(t instanceof Terminal terminal)) {
            return NONE;
        }
        ConsoleInterrupt ctrlC = new ConsoleInterrupt(terminal, Thread.currentThread());
        CURRENT.set(ctrlC);
        ctrlC.previous = terminal.handle(Terminal.Signal.INT, signal -> ctrlC.interrupt());
        return ctrlC;
    }

    /**
     * Gogo's handler again; a Ctrl-C that came after the command's last wait is dropped with the flag it set (a set
     * flag on Gogo's pipe thread would surface as an InterruptedException of Gogo's own, printed raw).
     */
    @Override
    public void close() {
        if (terminal == null) {
            return;
        }
        synchronized (this) {
            active = false;
        }
        CURRENT.remove();
        terminal.handle(Terminal.Signal.INT, previous);
        Thread.interrupted();
    }
}
