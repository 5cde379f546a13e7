package org.scriptbox.engine.vm;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** {@link Meter#passed}: many values become one flat list that reads as Luaj's own lists do. */
public class FlatValuesTest {
    /** Charges into a count. */
    static final class ChargeMeter extends Meter {
        long charged;

        @Override public void charge(int n) { charged += n; }
        @Override public void enter() { }
        @Override public void exit() { }
        @Override public void tick() { }
        @Override public void concat(LuaValue[] stack, int b, int c) { }
        @Override public void tailCall(org.luaj.vm2.Prototype p, int pc) { }
        @Override public void unwinding(Error e, org.luaj.vm2.Prototype p, int pc) { }
    }

    /** {@code n} numbers as Luaj's calls chain them: one value put in front of the rest per call. */
    private static Varargs chain(int n) {
        Varargs v = LuaValue.NONE;
        for (int i = n; i >= 1; i--) {
            v = LuaValue.varargsOf(new LuaValue[] {LuaValue.valueOf(i)}, 0, 1, v);
        }
        return v;
    }

    @Test
    public void manyValuesAreChargedAndFlat() {
        ChargeMeter m = new ChargeMeter();
        Varargs chained = chain(100);
        Varargs flat = m.passed(chained);
        assertEquals(100 / Meter.VALUES_PER_UNIT, m.charged);
        assertTrue(flat.getClass().getName(), flat instanceof FlatValues);
        assertSame("flat already: not copied again", flat, m.passed(flat));
        assertEquals(2 * 100 / Meter.VALUES_PER_UNIT, m.charged);
        Varargs few = chain(3);
        assertSame(few, m.passed(few));
        assertEquals("fewer than VALUES_PER_UNIT: free", 2 * 100 / Meter.VALUES_PER_UNIT, m.charged);
    }

    @Test
    public void aFlatListReadsAsLuajsOwn() {
        ChargeMeter m = new ChargeMeter();
        Varargs luaj = chain(40);
        Varargs flat = m.passed(chain(40));
        for (int start = 1; start <= 43; start++) {
            Varargs a = luaj.subargs(start);
            Varargs b = flat.subargs(start);
            assertEquals("narg from " + start, a.narg(), b.narg());
            assertEquals("arg1 from " + start, a.arg1(), b.arg1());
            for (int i = -1; i <= 42; i++) {
                assertEquals(start + "/" + i, a.arg(i), b.arg(i));
            }
            assertEquals(a.subargs(2).narg(), b.subargs(2).narg());
        }
        for (Varargs v : new Varargs[] {luaj, flat}) {
            try {
                v.subargs(0);
                fail("subargs(0)");
            } catch (LuaError e) {
                assertEquals("bad argument #1: start must be > 0", e.getMessage());
            }
        }
    }
}
