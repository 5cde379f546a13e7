package org.scriptbox.shell.command;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.Test;

/** Shell words read as Lua literals, checked against the Debian lua5.4 binary where it is installed. */
public class LuaLiteralTest {
    private static final List<String> WORDS = List.of("25", "007", "-5", "+3", "0.5", ".5", "5.", "1e3", "1E-2", "2.5e+3",
            "0x10", "0XfF", "0x1p4", "0x.8", "0x1.8p1", "-0x10", "0xffffffffffffffff", "9223372036854775807",
            "9223372036854775808", "NaN", "nan", "Infinity", "inf", "1d", "2f", "1e", "0x", "0x1p", "1_000", "1,5",
            "--5", "-", ".", "e5", "0b101", "1e400", "true", "false", "nil", "null", "sim-1", "0x1P-2");

    @Test
    public void literalsAsLuaReadsThem() {
        assertEquals(25L, LuaLiteral.read("25"));
        assertEquals(7L, LuaLiteral.read("007"));
        assertEquals(16.0, LuaLiteral.read("0x1p4"));
        assertEquals(16L, LuaLiteral.read("0x10"));
        assertEquals(-1L, LuaLiteral.read("0xffffffffffffffff"));   // hexadecimal integers wrap around
        assertEquals(9.223372036854775808E18, LuaLiteral.read("9223372036854775808"));   // too big: a float
        assertNull(LuaLiteral.read("nil"));
        for (String notANumber : List.of("NaN", "Infinity", "1d", "2f", "null", "0x", "1e")) {
            assertEquals(notANumber, LuaLiteral.read(notANumber));
        }
    }

    /** tonumber in lua5.4 and LuaLiteral agree on every word: the same type and the same value. */
    @Test
    public void agreesWithLua54() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("lua5.4", "-e",
                "for w in io.lines() do local n = tonumber(w); print(n == nil and 'string' or math.type(n) .. ' ' .. (math.type(n) == 'integer' and string.format('%d', n) or string.format('%.17g', n))) end"));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException noLua) {
            Assume.assumeTrue("lua5.4 is not installed", false);
            return;
        }
        try (java.io.Writer in = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            in.write(String.join("\n", WORDS) + "\n");
        }
        List<String> lua = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lua.add(line);
            }
        }
        p.waitFor(10, TimeUnit.SECONDS);
        for (int i = 0; i < WORDS.size(); i++) {
            String w = WORDS.get(i);
            if (w.equals("true") || w.equals("false") || w.equals("nil")) {
                continue;   // literals of their own, not numbers
            }
            Object ours = LuaLiteral.read(w);
            String mine = ours instanceof Long ? "integer " + String.format("%d", ours)
                    : ours instanceof Double ? "float " + c17g((Double) ours) : "string";
            String theirs = lua.get(i).startsWith("integer ") ? "integer " + lua.get(i).substring(8) : lua.get(i);
            if (theirs.startsWith("float ")) {
                String v = theirs.substring(6);
                theirs = "float " + c17g(v.equals("inf") ? Double.POSITIVE_INFINITY : v.equals("-inf") ? Double.NEGATIVE_INFINITY
                        : Double.parseDouble(v));
            }
            assertEquals("word " + w, theirs, mine);
        }
    }

    private static String c17g(double d) {
        return Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : Double.toString(d);
    }
}
