package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import java.nio.charset.StandardCharsets;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;

/**
 * Every attack of {@link CompiledAttacksTest} against the engine's own compiler ({@code asm-strict}: every
 * function of every script compiled, nothing falls back silently), plus what that compiler promises beyond
 * LuaJC: instruction counts equal to the interpreter's, and no shape refused.
 */
public class AsmCompiledAttacksTest extends CompiledAttacksTest {
    public AsmCompiledAttacksTest() {
        super("asm-strict", "asm", "stay interpreted");
    }

    /** Stronger than LuaJC's "at least": the same values and exactly the interpreter's count. */
    @Override
    void assertCountsAtLeastTheInterpreter(String source) {
        ExecutionResult c = run(source);
        ExecutionResult i = runInterpreted(source);
        AsmDifferentialFuzzTest.assertSame(source, i, c);
    }

    /** LuaJC's bad field types do not arise here: the program compiles and computes the interpreter's result. */
    @Override
    @Test
    public void classesWithAFieldAccessThatCannotLinkAreRefusedAtBuildTime() throws Exception {
        String src = resource("/redteam/luajc-upvalue-field.lua");
        assertNotNull(((LuaCompiledScript) scripts.engine.compile("attack.lua", src)).compiled());
        AsmDifferentialFuzzTest.assertSame(src, runInterpreted(src), run(src));
    }

    /** The reproducers of LuaJC's miscompiles (closures created in loops), compiled, with exact results. */
    @Test
    public void closuresCreatedInLoopsAreCompiledAndRight() throws Exception {
        for (String name : new String[] {"/redteam/luajc-stale-upvalue.lua", "/redteam/luajc-loop-counter-type.lua"}) {
            String src = resource(name);
            AsmDifferentialFuzzTest.assertSame(name, runInterpreted(src), run(src));
        }
        String perIteration = "local fs = {}\nfor i = 1, 3 do local j = i * 10 fs[i] = function() j = j + 1 return i, j end end\n"
                + "local k = 0\nwhile k < 3 do k = k + 1 local c = k fs[#fs + 1] = function() c = c + 100 return c end end\n"
                + "local out = {}\nfor _, f in ipairs(fs) do local a, b = f() out[#out + 1] = tostring(a) .. ':' .. tostring(b) end\n"
                + "for _, f in ipairs(fs) do out[#out + 1] = tostring((f())) end\nreturn table.concat(out, ' ')";
        ExecutionResult r = run(perIteration);
        AsmDifferentialFuzzTest.assertSame(perIteration, runInterpreted(perIteration), r);
        assertEquals(r.error() + "", "1:11 2:21 3:31 101:nil 102:nil 103:nil 1 2 3 201 202 203", r.values().get(0));
    }

    /** Comparisons of long strings are charged per byte compared (containment): the same charges compiled. */
    @Test
    public void longStringComparisonsAreChargedAsInTheInterpreter() {
        String src = "local a = string.rep('x', 5000) .. 'a'\nlocal b = string.rep('x', 5000) .. 'b'\n"
                + "local n = 0\nfor i = 1, 200 do\n  if a < b then n = n + 1 end\n  if a <= b then n = n + 1 end\n"
                + "  if a == b .. '' then n = n + 1 end\n  if a ~= a .. '' then n = n + 1 end\nend\nreturn n";
        ExecutionResult r = run(src);
        ExecutionResult i = runInterpreted(src);
        AsmDifferentialFuzzTest.assertSame(src, i, r);
        org.junit.Assert.assertTrue(r.instructions() + "", r.instructions() > 200 * 4 * 5000 / 16);
    }

    /**
     * The instruction limit trips at the interpreter's instruction, whatever the budget: every budget from
     * 1 to 400 lands the check on another instruction of the groups charged at once (the slow path), and
     * the status, message, line, traceback and count must be the interpreter's.
     */
    @Test
    public void theInstructionLimitTripsAtTheInterpretersInstructionForEveryBudget() {
        String src = "local up, t = 0, {}\nlocal function f(a, b)\n  local x, y, z = a, b, nil\n  up = x\n"
                + "  local g = function() return up + x end\n  return g() + (y or 0)\nend\n"
                + "for i = 1, 1e9 do\n  local p, q = i, not i\n  t[i % 7] = f(p, 2) + (q and 1 or 0)\nend";
        for (long budget = 1; budget <= 400; budget++) {
            scripts.withInstructions(budget);
            interpreted.withInstructions(budget);
            ExecutionResult c = run(src);
            ExecutionResult i = runInterpreted(src);
            AsmDifferentialFuzzTest.assertSame("budget " + budget, i, c);
            assertEquals(c.error().traceback(), i.error().traceback(), c.error().traceback());
            assertEquals(org.scriptbox.api.ErrorKind.LIMIT, c.error().kind());
        }
    }

    // The adaptive switch builds LuaJC classes: covered by CompiledAttacksTest, not repeated here.
    @Override
    public void concurrentExecutionsCrossingTheThresholdAllAgree() {
    }

    @Override
    public void aHotScriptLuajcCannotCompileKeepsRunningInterpreted() {
    }

    @Override
    public void deactivateWhileBuildsAreQueuedLeavesScriptsRunnable() {
    }

    private String resource(String name) throws Exception {
        return new String(getClass().getResourceAsStream(name).readAllBytes(), StandardCharsets.UTF_8);
    }
}
