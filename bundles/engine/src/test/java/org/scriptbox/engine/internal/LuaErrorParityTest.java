package org.scriptbox.engine.internal;

import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptError;

/**
 * Runtime error messages against the real PUC Lua 5.4 ({@code /usr/bin/lua5.4}, installed by {@code .ci/run}):
 * every program of {@code parity/errors.lua} (programs separated by {@code -- case: NAME} lines) runs as
 * {@code test.lua} through scriptbox, interpreted and compiled, and through lua5.4; the error lines
 * ({@code test.lua:LINE: message}) must be equal, and for cases marked {@code traceback} also the Lua
 * frames of the traceback (lua5.4's {@code [C]} and tail-call lines left out: scriptbox lists Lua frames only).
 */
public class LuaErrorParityTest {
    private static final String LUA = "/usr/bin/lua5.4";
    private static Path dir;

    private final Scripts interpreted = new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0));
    private final Scripts compiled = new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0));

    @BeforeClass
    public static void needsLua() throws IOException {
        Assume.assumeTrue("lua5.4 is not installed (.ci/run installs it: apt-get install -y lua5.4); the PUC"
                + " comparison is skipped", new File(LUA).canExecute());
        dir = Files.createTempDirectory("parity");
    }

    record Case(String name, String source, boolean traceback) {
    }

    static List<Case> cases() throws IOException {
        String all;
        try (var in = LuaErrorParityTest.class.getResourceAsStream("/parity/errors.lua")) {
            all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Case> cases = new ArrayList<>();
        String[] parts = all.split("(?m)^-- case: ");
        for (String part : parts) {
            if (part.isBlank()) {
                continue;
            }
            int nl = part.indexOf('\n');
            String header = part.substring(0, nl).trim();
            boolean tb = header.endsWith(" traceback");
            String name = tb ? header.substring(0, header.length() - " traceback".length()) : header;
            cases.add(new Case(name, part.substring(nl + 1), tb));
        }
        return cases;
    }

    /** lua5.4's first error line and the Lua frames of its traceback. */
    static String[] lua(String source) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("test.lua"), source);
        Process p = new ProcessBuilder(LUA, "test.lua").directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("lua5.4 did not end", p.waitFor(10, TimeUnit.SECONDS));
        String msg = out.startsWith(LUA + ": ") ? out.substring(LUA.length() + 2) : "(no error) " + out;
        int tb = msg.indexOf("\nstack traceback:\n");
        String frames = "";
        if (tb >= 0) {
            StringBuilder sb = new StringBuilder();
            for (String line : msg.substring(tb + "\nstack traceback:\n".length()).split("\n")) {
                String l = line.trim();
                if (!l.isEmpty() && !l.startsWith("[C]") && !l.equals("(...tail calls...)")) {
                    sb.append(l).append('\n');
                }
            }
            frames = sb.toString();
            msg = msg.substring(0, tb);
        }
        return new String[] {msg.strip(), frames};
    }

    static String[] scriptbox(Scripts s, String source) {
        ExecutionResult r = s.run(source);
        ScriptError e = r.error();
        if (e == null) {
            return new String[] {"(no error) " + r.values(), ""};
        }
        StringBuilder sb = new StringBuilder();
        if (e.traceback() != null) {
            for (String line : e.traceback().split("\n")) {
                String l = line.trim();
                if (!l.isEmpty() && !l.equals("stack traceback:") && !l.equals("...")) {
                    sb.append(l).append('\n');
                }
            }
        }
        return new String[] {e.toString(), sb.toString()};
    }

    @Test
    public void runtimeErrorsReadAsLua54s() throws Exception {
        List<String> mismatches = new ArrayList<>();
        List<Case> cases = cases();
        for (Case c : cases) {
            String[] expected = lua(c.source());
            for (Scripts s : List.of(interpreted, compiled)) {
                String mode = s == interpreted ? "interpreted" : "compiled";
                String[] got = scriptbox(s, c.source());
                if (!expected[0].equals(got[0])) {
                    mismatches.add(c.name() + " (" + mode + "):\n  lua5.4:    " + expected[0] + "\n  scriptbox: " + got[0]);
                } else if (c.traceback() && !expected[1].equals(got[1])) {
                    mismatches.add(c.name() + " traceback (" + mode + "):\n  lua5.4:\n" + expected[1]
                            + "  scriptbox:\n" + got[1]);
                }
            }
        }
        assertTrue(mismatches.size() + " of " + cases.size() * 2 + " differ:\n" + String.join("\n", mismatches),
                mismatches.isEmpty());
    }
}
