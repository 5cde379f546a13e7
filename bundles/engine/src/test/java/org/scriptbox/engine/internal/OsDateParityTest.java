package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * E27: {@code os.date}, {@code os.time}, {@code os.difftime} and {@code os.clock} against the real PUC Lua 5.4, both
 * modes: every line of {@code parity/osdate.lua} prints its case's number and its value or its error, and the
 * printed lines must be equal (lua5.4 runs in the JVM's time zone). Conversions, fields out of range, missing
 * fields, arguments of the wrong type, and times far from now.
 */
public class OsDateParityTest {
    private static final String LUA = "/usr/bin/lua5.4";

    private final Scripts interpreted = new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0));
    private final Scripts compiled = new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0));

    private static String source() throws IOException {
        try (var in = OsDateParityTest.class.getResourceAsStream("/parity/osdate.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> lua(String source) throws Exception {
        Path dir = Files.createTempDirectory("osdate");
        Files.writeString(dir.resolve("test.lua"), source);
        ProcessBuilder pb = new ProcessBuilder(LUA, "test.lua").directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("TZ", TimeZone.getDefault().getID());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("lua5.4 did not end", p.waitFor(10, TimeUnit.SECONDS));
        return lines(out);
    }

    /** One printed line per case (a case's value may hold a newline: lines start with the case's number). */
    private static List<String> lines(String out) {
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n(?=\\d+\t)")) {
            // lua5.4 writes an integer-valued float as "5.0"; the engine as Lua 5.2 did (no integer subtype, docs/engine.md)
            lines.add(l.strip().replaceAll("^(\\d+\t-?\\d+)\\.0$", "$1"));
        }
        return lines;
    }

    @Test
    public void osDateAndTimeReadAsLua54s() throws Exception {
        Assume.assumeTrue("lua5.4 is not installed (.ci/run installs it)", new File(LUA).canExecute());
        String source = source();
        List<String> expected = lua(source);
        for (Scripts s : List.of(interpreted, compiled)) {
            s.log.clear();
            ExecutionResult r = s.run(source);
            assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
            StringBuilder out = new StringBuilder();
            for (String line : s.log) {
                out.append(line.substring("INFO ".length())).append('\n');
            }
            List<String> got = lines(out.toString());
            List<String> mismatches = new ArrayList<>();
            for (int i = 0; i < Math.max(expected.size(), got.size()); i++) {
                String e = i < expected.size() ? expected.get(i) : "(none)";
                String g = i < got.size() ? got.get(i) : "(none)";
                if (!e.equals(g)) {
                    mismatches.add("lua5.4:    " + e + "\n  scriptbox: " + g);
                }
            }
            assertTrue(mismatches.size() + " differ (" + s.engine + "):\n  " + String.join("\n  ", mismatches), mismatches.isEmpty());
        }
    }
}
