package org.scriptbox.engine.compiler;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.Test;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.LuaC;

/** Which callees are compiled into their call sites ({@link InlineCallee}), and that spectral's call sites get it. */
public class InlineCalleeTest {
    private static Prototype main(String program) throws Exception {
        return LuaC.instance.compile(new ByteArrayInputStream(program.getBytes(StandardCharsets.UTF_8)), "t.lua");
    }

    private static InlineCallee callee(String function) throws Exception {
        return InlineCallee.of(main("local function f" + function + " end").p[0], "x/F_0");
    }

    @Test
    public void onlyStraightLineArithmeticOnParametersAndNumbersIsInlined() throws Exception {
        InlineCallee a = callee("(i, j) local ij = i + j - 1 return 1.0 / (ij * (ij - 1) * 0.5 + i)");
        assertNotNull(a);
        assertEquals(8, a.charged); // 7 instructions and the RETURN: what the call charges inside the callee
        assertNotNull(callee("(x) return -x"));
        assertNotNull(callee("(x, y, z) local w = 3 return (x - y) * z + w"));
        // anything that could raise an error, call, read state or is not one number: called
        assertNull(callee("(x) return x % 2"));
        assertNull(callee("(x) return x ^ 2"));
        assertNull(callee("(x) return x .. 'a'"));
        assertNull(callee("(x) return x + '1'"));
        assertNull(callee("(x) return x + y"));
        assertNull(callee("(x) return math.abs(x)"));
        assertNull(callee("(x) return x, x"));
        assertNull(callee("(x) if x > 0 then return x end return -x"));
        assertNull(callee("(x, ...) return x * 2"));
        assertNull(callee("() return 1"));
        assertNull(callee("(x) local t return x + 1"));
        assertNull(InlineCallee.of(main("local function f(x) return x end").p[0], null)); // stays interpreted
    }

    @Test
    public void spectralsCallSitesTestForTheCalleesClass() throws Exception {
        Prototype main = main("local function A(i, j) local ij = i + j - 1 return 1.0 / (ij * (ij - 1) * 0.5 + i) end"
                + " local function Av(x, y, N) for i = 1, N do local a = 0 for j = 1, N do a = a + x[j] * A(i, j) end"
                + " y[i] = a end end local function B(i) return A(i, i) * 2 end return Av, B(1)");
        InlineCallee a = InlineCallee.of(main.p[0], "scriptbox/lua/t/F_0");
        byte[] av = new FunctionWriter(new FunctionShape(main.p[1]), "scriptbox/lua/t/F_1", new String[0])
                .inlining(u -> a).write();
        assertTrue(new String(av, StandardCharsets.ISO_8859_1).contains("scriptbox/lua/t/F_0"));
        byte[] plain = new FunctionWriter(new FunctionShape(main.p[1]), "scriptbox/lua/t/F_1", new String[0]).write();
        assertTrue(!new String(plain, StandardCharsets.ISO_8859_1).contains("scriptbox/lua/t/F_0"));
        assertTrue(CodeSizes.bodySize(av) > CodeSizes.bodySize(plain));
        // a local callee of the function itself: found through its CLOSURE
        byte[] m = new FunctionWriter(new FunctionShape(main), "scriptbox/lua/t/F", new String[] {"scriptbox/lua/t/F_0",
                "scriptbox/lua/t/F_1", "scriptbox/lua/t/F_2"}).write();
        assertTrue(!new String(m, StandardCharsets.ISO_8859_1).contains("scriptbox/lua/t/F_0;")); // NEW, not a test
    }
}
