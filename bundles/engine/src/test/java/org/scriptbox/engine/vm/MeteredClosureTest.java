package org.scriptbox.engine.vm;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;

/**
 * The engine's own interpreter outside the engine: no meter, no Lua code; every instruction is charged to the
 * meter it was given; errors get their position and traceback through {@link Meter#errorFrame} although the
 * class is outside Luaj's package.
 */
public class MeteredClosureTest {
    /** Counts instructions; never ends anything. */
    static final class CountingMeter extends Meter {
        long ticked;
        int depth;

        CountingMeter() {
            ticks = 1;
        }

        @Override public void enter() { depth++; }
        @Override public void exit() { depth--; }
        @Override public void tick() { ticked += 1 - ticks; ticks = 1; }
        @Override public void concat(LuaValue[] stack, int b, int c) { }
        @Override public void charge(int n) { }
        @Override public void tailCall(Prototype p, int pc) { }
        @Override public void unwinding(Error e, Prototype p, int pc) { }
    }

    private static Prototype compile(String source) throws Exception {
        return LuaC.instance.compile(new ByteArrayInputStream(source.getBytes(StandardCharsets.UTF_8)), "t.lua");
    }

    @Test
    public void thereIsNoUnmeteredWayToRunAPrototype() throws Exception {
        Prototype p = compile("while true do end");
        try {
            new MeteredClosure(p, new Globals(), null);
            fail("a closure without a meter");
        } catch (NullPointerException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("meter"));
        }
    }

    @Test
    public void everyInstructionIsChargedAndTheDepthIsBalanced() throws Exception {
        CountingMeter m = new CountingMeter();
        Globals g = new Globals();
        Varargs r = new MeteredClosure(compile("local s = 0\nfor i = 1, 10 do s = s + i end\n"
                + "local function f(x) return x * 2 end\nreturn f(s)"), g, m).invoke(LuaValue.NONE);
        assertEquals(110, r.arg1().toint());
        // LOADK; LOADK LOADK LOADK FORPREP; 11 FORLOOP (FORPREP jumps to the first), 10 ADD; CLOSURE MOVE MOVE
        // TAILCALL in the main chunk (its RETURN never runs), then MUL RETURN in f
        assertEquals(1 + 4 + 21 + 4 + 2, m.ticked);
        assertEquals(0, m.depth);
    }

    @Test
    public void anErrorGetsItsPositionAndTracebackOutsideLuajsPackage() throws Exception {
        CountingMeter m = new CountingMeter();
        Globals g = new Globals();
        g.running.errorfunc = null;
        try {
            new MeteredClosure(compile("local function f()\n  local t = nil\n  return t.x\nend\nf()"), g, m).call();
            fail("no error");
        } catch (LuaError e) {
            // the message as Lua 5.4 words it, the frames named as their callers call them
            assertTrue(e.getMessage(), e.getMessage().startsWith("t.lua:3: attempt to index a nil value (local 't')"));
            assertTrue(e.getMessage(), e.getMessage().contains(Meter.TRACEBACK_MARK + "\n\tt.lua:3: in local 'f'"
                    + "\n\tt.lua:5: in main chunk"));
        }
        assertEquals(0, m.depth);
        assertNull(g.running.errorfunc);
    }

    /**
     * The backstop: the engine never creates Luaj's own LuaClosure, but should one ever run over globals whose
     * debuglib is a meter, Luaj's hooks charge every instruction and count the depth: the same count as ours.
     */
    @Test
    public void luajsOwnInterpreterOverMeteredGlobalsIsChargedTheSame() throws Exception {
        String src = "local s = 0\nfor i = 1, 10 do s = s + i end\nlocal function f(x) return x * 2 end\nreturn f(s)";
        CountingMeter ours = new CountingMeter();
        new MeteredClosure(compile(src), new Globals(), ours).invoke(LuaValue.NONE);
        CountingMeter hooks = new CountingMeter();
        Globals g = new Globals();
        g.debuglib = hooks;
        assertEquals(110, new org.luaj.vm2.LuaClosure(compile(src), g).invoke(LuaValue.NONE).arg1().toint());
        assertEquals(ours.ticked, hooks.ticked);
        assertEquals(0, hooks.depth);
    }

    @Test
    public void closuresCreatedInALoopGetAnUpvaluePerIteration() throws Exception {
        Varargs r = new MeteredClosure(compile("local fs = {}\nfor i = 1, 3 do local j = i fs[i] = function() j = j + 10 return j end end\n"
                + "local k = 0\nwhile k < 2 do k = k + 1 local c = k fs[#fs + 1] = function() c = c + 100 return c end end\n"
                + "return fs[1](), fs[1](), fs[2](), fs[3](), fs[4](), fs[5](), fs[4]()"), new Globals(), new CountingMeter())
                .invoke(LuaValue.NONE);
        assertEquals("11 21 12 13 101 102 201", join(r));
    }

    private static String join(Varargs r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= r.narg(); i++) {
            sb.append(i > 1 ? " " : "").append(r.arg(i).tojstring());
        }
        return sb.toString();
    }
}
