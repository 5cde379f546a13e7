package org.scriptbox.shell.command;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Arrays;
import java.util.List;

import org.junit.Test;

public class ShellArgsTest {
    private static final Usage LOGS = Usage.of("script:logs", "shows lines").withOption("-n", "--lines", "N", "50", "how many")
            .withFlag("-f", "--follow", "follow").withArgument("NAME", "script name").withExample("script:logs -n 5 ramp");
    private static final Usage RUN = Usage.of("script:run", "runs").withArgument("NAME", "script name")
            .withRest("ARG", "arguments", false);

    private static List<Word> words(String... w) {
        return Arrays.stream(w).map(Word::of).toList();
    }

    @Test
    public void optionsAnywhereBeforeTheRest() {
        ShellArgs a = ShellArgs.parse(LOGS, words("ramp", "-n", "5", "-f"));
        assertEquals("ramp", a.text("NAME"));
        assertEquals(5, a.intOption("--lines", 1, 100));
        assertTrue(a.flag("--follow"));
        assertEquals(7, ShellArgs.parse(LOGS, words("--lines=7", "ramp")).intOption("--lines", 1, 100));
        assertEquals(50, ShellArgs.parse(LOGS, words("ramp")).intOption("--lines", 1, 100));
    }

    /** Red team R14 follow-up: an option without a default is null when absent (sched:set -o/-m). */
    @Test
    public void anAbsentOptionWithoutADefaultIsNull() {
        Usage set = Usage.of("sched:set", "sets").withOption("-o", "--overlap", "POLICY", null, "overlap")
                .withArgument("NAME", "script").withRest("SCHEDULE", "words", true);
        assertEquals(null, ShellArgs.parse(set, words("ramp", "every", "5m")).option("--overlap"));
        assertEquals("queue", ShellArgs.parse(set, words("-o", "queue", "ramp", "every", "5m")).option("--overlap"));
    }

    @Test
    public void aRestArgumentTakesDashWords() {
        ShellArgs a = ShellArgs.parse(RUN, words("ramp", "-5", "--x"));
        assertEquals(List.of("-5", "--x"), a.restTexts());
        assertTrue(ShellArgs.parse(RUN, words("--help")).help());
        assertEquals("--help", ShellArgs.parse(RUN, words("--", "--help")).text("NAME"));
    }

    @Test
    public void mistakesAreOneSentence() {
        refused(LOGS, "missing NAME");
        refused(LOGS, "unknown option '-x'", "-x", "ramp");
        refused(LOGS, "-n needs a value (N)", "ramp", "-n");
        refused(LOGS, "unexpected 'b'", "a", "b");
        ShellArgs a = ShellArgs.parse(LOGS, words("-n", "-5", "ramp"));
        try {
            a.intOption("--lines", 1, 100);
            fail();
        } catch (UsageError e) {
            assertEquals("-n must be a whole number from 1 to 100, not '-5'", e.getMessage());
        }
        assertTrue(ShellArgs.parse(LOGS, words("-x", "--help")).help());
    }

    @Test
    public void helpNamesOptionsDefaultsAndAnExample() {
        String help = LOGS.help();
        assertTrue(help, help.contains("usage: script:logs [-n N] [-f] NAME"));
        assertTrue(help, help.contains("(default 50)"));
        assertTrue(help, help.contains("script:logs -n 5 ramp"));
        assertFalse(LOGS.mistake("missing NAME").contains("\n"));
    }

    @Test
    public void quotesComeFromTheTypedLine() {
        List<Word> typed = TypedWords.withQuotes("script:run ramp \"007\" 007 'a b'", words("ramp", "007", "007", "a b"));
        assertEquals(List.of(false, true, false, true), typed.stream().map(Word::quoted).toList());
        assertEquals("007", typed.get(1).luaValue());
        assertEquals(7L, typed.get(2).luaValue());
        // anything but a plain command line: nothing is guessed
        assertFalse(TypedWords.withQuotes("script:run ramp $x", words("ramp", "007")).get(1).quoted());
        assertFalse(TypedWords.withQuotes("script:run ramp \"007\" | grep x", words("ramp", "007")).get(1).quoted());
    }

    private static void refused(Usage u, String message, String... w) {
        try {
            ShellArgs.parse(u, words(w));
            fail("accepted " + Arrays.toString(w));
        } catch (UsageError e) {
            assertEquals(message, e.getMessage());
        }
    }
}
