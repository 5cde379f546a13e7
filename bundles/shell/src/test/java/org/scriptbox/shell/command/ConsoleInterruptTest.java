package org.scriptbox.shell.command;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.felix.service.command.CommandSession;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.Test;

/** 16.6 without a pty: the console's INT signal interrupts the running command's thread, and only while it runs. */
public class ConsoleInterruptTest {
    private static CommandSession sessionWith(Object terminal) {
        return (CommandSession) Proxy.newProxyInstance(ConsoleInterruptTest.class.getClassLoader(),
                new Class<?>[] {CommandSession.class}, (proxy, method, args) ->
                        method.getName().equals("get") && ".terminal".equals(args[0]) ? terminal : null);
    }

    @Test
    public void ctrlCInterruptsTheCommandEveryTimeAndGogosHandlerComesBack() throws Exception {
        try (Terminal terminal = TerminalBuilder.builder().dumb(true).system(false)
                .streams(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream()).build()) {
            AtomicInteger gogo = new AtomicInteger();
            Terminal.SignalHandler gogosHandler = signal -> gogo.incrementAndGet();
            terminal.handle(Terminal.Signal.INT, gogosHandler);
            for (int command = 0; command < 3; command++) {
                try (ConsoleInterrupt ctrlC = ConsoleInterrupt.forThisCommand(sessionWith(terminal))) {
                    terminal.raise(Terminal.Signal.INT);
                    assertTrue("Ctrl-C " + command + " interrupts the command", Thread.interrupted());
                    terminal.raise(Terminal.Signal.INT);   // one more, after the command's last wait
                }
                assertFalse("no interrupt is left behind on the thread", Thread.currentThread().isInterrupted());
                assertSame(gogosHandler, terminal.handle(Terminal.Signal.INT, gogosHandler));
            }
            assertTrue("Gogo's handler is not called while a scriptbox command runs", gogo.get() == 0);
        }
    }

    /** A Ctrl-C whose interrupt flag something took on the way is still seen by the command's waits (its mark). */
    @Test
    public void aCtrlCStaysMarkedWhenItsInterruptIsLost() throws Exception {
        try (Terminal terminal = TerminalBuilder.builder().dumb(true).system(false)
                .streams(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream()).build()) {
            terminal.handle(Terminal.Signal.INT, signal -> { });
            try (ConsoleInterrupt ctrlC = ConsoleInterrupt.forThisCommand(sessionWith(terminal))) {
                assertFalse(ConsoleInterrupt.pressedForThisCommand());
                terminal.raise(Terminal.Signal.INT);
                Thread.interrupted();   // the flag is gone (taken by code between the Ctrl-C and the wait)
                assertTrue(ConsoleInterrupt.pressedForThisCommand());
                ConsoleInterrupt.answered();
                assertFalse(ConsoleInterrupt.pressedForThisCommand());
                terminal.raise(Terminal.Signal.INT);
            }
            assertFalse("nothing marked once the command ended", ConsoleInterrupt.pressedForThisCommand());
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }

    @Test
    public void withoutAConsoleNothingChanges() {
        try (ConsoleInterrupt ctrlC = ConsoleInterrupt.forThisCommand(sessionWith(null))) {
            assertFalse(Thread.currentThread().isInterrupted());
        }
        try (ConsoleInterrupt ctrlC = ConsoleInterrupt.forThisCommand(null)) {
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }
}
