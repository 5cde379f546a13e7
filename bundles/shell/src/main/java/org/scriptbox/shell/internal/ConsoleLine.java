package org.scriptbox.shell.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.jline.reader.LineReader;

/**
 * Where a line for the operator goes: above the prompt of the console's line reader when there is one (JLine
 * redraws the prompt and what was typed so far below it, as Karaf's console does), else to the process's real
 * stdout (service mode: no console). The console registers its reader as a service from the Gogo profile.
 */
final class ConsoleLine {
    /** The process's real stdout: Gogo swaps System.out for its own stream while it starts and stops. */
    private static final PrintStream STDOUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    private ConsoleLine() {
    }

    static void print(LineReader reader, String line) {
        if (reader != null) {
            try {
                reader.printAbove(line);
                return;
            } catch (RuntimeException closed) {
                // the console went away (its terminal closed): the line still reaches stdout
            }
        }
        STDOUT.println(line);
    }
}
