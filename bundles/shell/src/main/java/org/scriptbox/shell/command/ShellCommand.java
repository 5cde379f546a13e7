package org.scriptbox.shell.command;

import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scriptbox shell command as Gogo runs it: a {@link Function}, so Gogo hands over the words as typed and
 * never tries to coerce them into a Java method's parameters (its "Cannot coerce run() to any of ..." and its
 * reading of {@code null}, {@code NaN} or {@code 1d}). The words are parsed against the command's {@link Usage}:
 * {@code --help} prints the help, a mistake one line naming it and the synopsis, and whatever a command throws
 * is logged while the operator reads one sentence: no Java exception text reaches the console.
 */
public final class ShellCommand implements Function {
    /** What the command does with its parsed arguments; returns the text to show (or null for none). */
    @FunctionalInterface
    public interface Body {
        Object run(CommandSession session, ShellArgs args) throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ShellCommand.class);
    private final Usage usage;
    private final Body body;

    public ShellCommand(Usage usage, Body body) {
        this.usage = usage;
        this.body = body;
    }

    public Usage usage() {
        return usage;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) {
        try (ConsoleInterrupt ctrlC = ConsoleInterrupt.forThisCommand(session)) {
            ShellArgs args = ShellArgs.parse(usage, TypedWords.of(arguments));
            return args.help() ? usage.help() : body.run(session, args);
        } catch (UsageError e) {
            return usage.mistake(e.getMessage());
        } catch (InterruptedException ctrlC) {
            // Ctrl-C (ConsoleInterrupt interrupts the command's thread): answered here; a restored flag would make Gogo's
            // pipe throw an InterruptedException of its own, printed raw on the console
            return usage.command() + ": interrupted";
        } catch (Exception | LinkageError | AssertionError e) {
            LOG.warn("shell command {} failed", usage.command(), e);
            return usage.command() + " failed: an internal error (logged in the container log)";
        }
    }

    @Override
    public String toString() {
        return usage.synopsis();
    }
}
