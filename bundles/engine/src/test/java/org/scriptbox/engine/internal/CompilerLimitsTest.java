package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptStatus;

/** Compiler limits and raw NUL bytes are compile errors at file:line:column, never Java exception text. */
public class CompilerLimitsTest {
    private final Scripts scripts = new Scripts();

    private ScriptError compileError(String source) {
        try {
            scripts.engine.compile("t.lua", source);
        } catch (ScriptException e) {
            ScriptError error = e.error();
            assertEquals(ErrorKind.COMPILATION, error.kind());
            assertFalse(error.message(), error.message().contains("Exception"));
            assertFalse(error.message(), error.message().contains("java."));
            return error;
        }
        fail("compiled: " + source);
        return null;
    }

    @Test
    public void tooManyLocalsIsACompileErrorWithPosition() {
        StringBuilder sb = new StringBuilder("local x = 1\n");
        for (int i = 0; i < 300; i++) {
            sb.append("local a").append(i).append(" = ").append(i).append('\n');
        }
        ScriptError e = compileError(sb.toString());
        assertTrue(e.message(), e.message().startsWith("too many local variables (limit is 200)"));
        assertEquals("t.lua", e.file());
        assertEquals(201, e.line());
        assertTrue(e.column() > 0);
    }

    // Too many upvalues (255) cannot be reached: Luaj counts the 200 local variables across all enclosing
    // functions, so no function can see 256 of them. ScriptCompiler maps that limit's report too.

    @Test
    public void rawNulOutsideStringsIsASyntaxError() {
        ScriptError e = compileError("local x = 1\nx = x +\u0000 2\n");
        assertEquals("unexpected symbol near '<\\0>'", e.message());
        assertEquals(2, e.line());
        assertEquals(8, e.column());
        e = compileError("return 1\u0000");
        assertEquals(1, e.line());
        assertEquals(9, e.column());
    }

    @Test
    public void nulInsideStringsAndCommentsIsFine() {
        ExecutionResult r = scripts.run("-- a \u0000 comment\nlocal s = 'a\u0000b' --[[ \u0000 ]]\nreturn #s, #[[\u0000]]");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of(3.0, 1.0), r.values());
    }

    @Test
    public void loadReportsTheSameErrors() {
        ExecutionResult r = scripts.run("return load('return 1\\0')");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertTrue(r.values() + "", String.valueOf(r.values().get(1)).contains("unexpected symbol near '<\\0>'"));
    }

    /**
     * Red-team F8: Luaj's compiler is quadratic in an and/or chain; 150,000 {@code or a} took 29 s (on the
     * deploy thread). The compile now ends at its deadline with a compile error at the place it reached.
     */
    @Test
    public void aSourceTooComplexToCompileIsRefusedAtItsDeadline() {
        String source = "local a = 1\nlocal b = a" + " or a".repeat(150_000) + "\n";
        // The deadline is on the compiling thread's CPU time (wall time on a loaded 2-core CI machine ran
        // 4.2 s for 2 s of CPU): measure the same clock the compiler does.
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = threads.getCurrentThreadCpuTime();
        try {
            new LuaScriptEngine().compile("slow.lua", source);
            org.junit.Assert.fail("compiled");
        } catch (org.scriptbox.api.ScriptException e) {
            long ms = (threads.getCurrentThreadCpuTime() - t0) / 1_000_000;
            org.junit.Assert.assertEquals(org.scriptbox.api.ErrorKind.COMPILATION, e.kind());
            org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("source too complex")
                    || e.getMessage().contains("control structure too long"));
            org.junit.Assert.assertTrue(ms + " ms of CPU", ms < ScriptCompiler.MAX_COMPILE_NANOS / 1_000_000 + 2_000);
            org.junit.Assert.assertEquals(2, e.error().line());
        }
        // a chain of 500 still compiles (and fits one JVM method in compiled mode)
        new LuaScriptEngine().compile("ok.lua", "local a = 1\nlocal b = a" + " or a".repeat(500) + "\nreturn b\n");
    }
}
