package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;

/** Compile errors carry chunk:line:column and the offending token; compilation itself is bounded. */
public class CompileErrorsTest {
    private final LuaScriptEngine engine = new LuaScriptEngine(64 * 1024);

    private ScriptError error(String source) {
        try {
            engine.compile("c.lua", source);
        } catch (ScriptException e) {
            assertEquals(ErrorKind.COMPILATION, e.kind());
            return e.error();
        }
        throw new AssertionError("compiled: " + source);
    }

    @Test
    public void missingOperandPointsAtTheToken() {
        assertEquals("c.lua:1:10: unexpected symbol near ')'", error("print(1 +)").toString());
    }

    @Test
    public void secondOccurrenceOnALineIsFound() {
        ScriptError e = error("local x = 1 local y = 2 y = = 3");
        assertEquals(1, e.line());
        assertEquals(29, e.column());
        assertTrue(e.message(), e.message().endsWith("near '='"));
    }

    @Test
    public void missingThenPointsAtTheFollowingToken() {
        ScriptError e = error("if x\n  print(1)\nend");
        assertEquals("c.lua:2:3: 'then' expected near 'print'", e.toString());
    }

    @Test
    public void columnsCountCharactersNotBytes() {
        ScriptError e = error("local s = 'héllo' local = 1");
        assertEquals(1, e.line());
        assertEquals(25, e.column());
    }

    @Test
    public void unfinishedStringAndMissingEnd() {
        ScriptError s = error("local s = 'abc\nprint(s)");
        assertEquals(1, s.line());
        assertTrue(s.message(), s.message().contains("unfinished string"));
        ScriptError end = error("while true do\n  print(1)\n");
        assertTrue(end.toString(), end.toString().matches("c\\.lua:3:1: 'end' expected.* near <eof>"));
    }

    @Test
    public void endOfFileIsWhereTheFileEnds() {
        // No final newline: the file has two lines and ends after "print(x" (7 characters).
        ScriptError noNewline = error("local x = \nprint(x");
        assertEquals(2, noNewline.line());
        assertEquals(8, noNewline.column());
        assertTrue(noNewline.toString(), noNewline.toString().endsWith("near <eof>"));
        // With one, the end of the file is the start of line 3.
        ScriptError newline = error("local x = \nprint(x\n");
        assertEquals(3, newline.line());
        assertEquals(1, newline.column());
        // Multi-byte characters count once in the column.
        ScriptError utf8 = error("x = 'é' .. ");
        assertEquals("c.lua:1:12: unexpected symbol near <eof>", utf8.toString());
    }

    @Test
    public void deeplyNestedSourceIsRejectedQuickly() {
        long t0 = System.nanoTime();
        ScriptError e = error("x = " + "(".repeat(5000) + "1" + ")".repeat(5000));
        assertTrue(e.message(), e.message().contains("syntax levels") || e.message().contains("nested"));
        ScriptError t = error("x = " + "{".repeat(5000) + "}".repeat(5000));
        assertTrue(t.message(), t.message().contains("syntax levels") || t.message().contains("nested"));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 2000);
    }

    @Test
    public void oversizedSourceIsRejectedBeforeParsing() {
        ScriptError e = error("x = '" + "a".repeat(70 * 1024) + "'");
        assertTrue(e.message(), e.message().contains("more than the limit of 65536"));
    }

    @Test
    public void binaryChunksAreRejected() {
        ScriptError e = error("\u001bLua\u0052\u0000 whatever");
        assertTrue(e.message(), e.message().contains("binary"));
    }

    @Test
    public void compiledScriptReportsItsCost() {
        var s = engine.compile("ok.lua", "local function f(x) return x * 2 end return f(2)");
        assertEquals("ok.lua", s.chunkName());
        assertTrue(s.retainedBytes() > 0);
        assertTrue(s.compileTime().toNanos() > 0);
        try {
            engine.compile("ok.lua", "return");
        } catch (ScriptException e) {
            fail(e.getMessage());
        }
    }
}
