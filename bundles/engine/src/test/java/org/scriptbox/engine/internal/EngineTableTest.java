package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.luaj.vm2.LuaDouble;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * The un-fork of issue 14 (session 6): every table a script can get is an {@link org.scriptbox.engine.vm.EngineTable}
 * (or the globals' {@link org.scriptbox.engine.vm.EngineGlobals}), whoever made it, so the table-size limit holds for
 * each; and an out-of-range number is refused by every int conversion of a library function ({@link WideNumber}).
 */
public class EngineTableTest {
    private final Scripts scripts = new Scripts();

    private static void assertLimit(String what, ExecutionResult r) {
        assertEquals(what + ": " + r.error(), ScriptStatus.FAILED, r.status());
        assertEquals(what + ": " + r.error(), ErrorKind.LIMIT, r.error().kind());
        assertTrue(what + ": " + r.error().message(), r.error().message().contains("table size limit of 1000"));
        assertTrue(what + ": " + r.error().message(), r.error().message().endsWith("(1001 elements)"));
    }

    /** Each expression makes a table in another way; filling it past the limit is refused at element 1001. */
    @Test
    public void everyWayOfMakingATableKeepsTheSizeLimit() {
        String[] makers = {"{}", "{1, 2, 3}", "{x = 1}", "table.pack(1, 2)", "os.date('*t')",
            "_G", "_ENV", "string", "table", "math", "os", "coroutine", "debug", "setmetatable({}, {__mode = 'k'})",
            "select(2, pcall(function() return {} end))", "getmetatable(setmetatable({}, {}))", "(function(...) return {...} end)(1, 2)",
            "load('return {}')()", "coroutine.wrap(function() coroutine.yield({}) end)()"};
        for (String maker : makers) {
            ExecutionResult r = scripts.run("local t = " + maker + "\nlocal n = 0\nfor _ in pairs(t) do n = n + 1 end\n"
                    + "for i = 1, 2000 do t['k' .. i] = i end");
            assertLimit(maker, r);
        }
    }

    @Test
    public void theLimitCountsWhatIsThereWhenTheTableWasMadeFull() {
        // os.date('*t') has 9 fields: 991 more fit, the 992nd is refused.
        ExecutionResult r = scripts.run("local t = os.date('*t')\nfor i = 1, 991 do t[i] = i end\nreturn 1");
        assertEquals(String.valueOf(r.error()), List.of(1.0), r.values());
        assertLimit("os.date", scripts.run("local t = os.date('*t')\nfor i = 1, 992 do t[i] = i end"));
    }

    @Test
    public void wideNumbersBehaveAsNumbersOnceStored() {
        ExecutionResult r = scripts.run("local t = {}\ntable.insert(t, 2^40)\nrawset(t, 2^41, 'k')\n"
                + "local co = coroutine.wrap(function(x) return x + 1 end)\n"
                + "return t[1] == 2^40, t[1] + 1, t[2^41], co(2^42), math.floor(2^40 + 0.5), tostring(2^40), select('#', 2^40), 1e300 * 10 > 1e300");
        assertEquals(String.valueOf(r.error()), List.of(true, 1099511627777.0, "k", 4398046511105.0, 1099511627776.0,
                "1099511627776", 1.0, true), r.values());
    }

    @Test
    public void numericStringsStayStringsForEverythingButTheirIntConversion() {
        ExecutionResult r = scripts.run("local t = {}\nrawset(t, '1e10', 'v')\ntable.insert(t, '1e10')\n"
                + "return string.rep('1e10', 2), type(select(1, '1e10')), t['1e10'], t[1] == '1e10', #t[1], ('1e10' + 1),"
                + " string.format('%s|%5s', '1e10', '0x100000002'), tostring('1e10'), pcall(string.rep, 'x', t[1])");
        assertEquals(String.valueOf(r.error()), "1e101e10", r.values().get(0));
        assertEquals(List.of("string", "v", true, 4.0, 1.0000000001E10, "1e10|0x100000002", "1e10", false), r.values().subList(1, 9));
        assertTrue(String.valueOf(r.values()), String.valueOf(r.values().get(9)).contains("no integer representation"));
    }

    @Test
    public void nilAndNaNKeysAreRefusedInLuasWords() {
        String[] stores = {"local t = {}\nt[nil] = 1", "local t = {}\nt[0/0] = 1", "local t = {}\nrawset(t, 0/0, 1)",
            "local t = setmetatable({}, {__index = {}})\nt[nil] = 1"};
        String[] words = {"table index is nil", "table index is NaN", "table index is NaN", "table index is nil"};
        for (int i = 0; i < stores.length; i++) {
            ExecutionResult r = scripts.run(stores[i]);
            assertEquals(stores[i], ScriptStatus.FAILED, r.status());
            assertTrue(stores[i] + ": " + r.error().message(), r.error().message().contains(words[i]));
            assertEquals(stores[i], 2, r.error().line());
        }
        ExecutionResult pairsAfter = scripts.run("local t = {1}\npcall(rawset, t, 0/0, 1)\nlocal n = 0\n"
                + "for _ in pairs(t) do n = n + 1 end\nreturn n");
        assertEquals(String.valueOf(pairsAfter.error()), List.of(1.0), pairsAfter.values());
    }

    @Test
    public void lengthOutsideTheIntRangeIsRefused() {
        ExecutionResult r = scripts.run("local t = setmetatable({}, {__len = function() return 2^40 end})\n"
                + "return pcall(table.insert, t, 1)");
        assertEquals(String.valueOf(r.error()), false, r.values().get(0));
        assertTrue(String.valueOf(r.values()), String.valueOf(r.values().get(1)).contains("outside the integer range"));
    }

    @Test
    public void storedWideNumbersStillRefuseIntConversions() {
        ExecutionResult r = scripts.run("local t = {}\ntable.insert(t, 2^40)\nreturn pcall(string.rep, 'x', t[1])");
        assertEquals(String.valueOf(r.error()), false, r.values().get(0));
        assertTrue(String.valueOf(r.values()), String.valueOf(r.values().get(1)).contains("no integer representation"));
    }

    /** WideNumber stands in for LuaDouble: it must override everything LuaDouble does (or a call would go to LuaValue's default). */
    @Test
    public void wideNumberOverridesEveryMethodOfLuaDouble() {
        List<String> missing = new ArrayList<>();
        for (Method m : LuaDouble.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || !Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            try {
                if (WideNumber.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass() != WideNumber.class) {
                    missing.add(m.toString());
                }
            } catch (NoSuchMethodException e) {
                missing.add(m.toString());
            }
        }
        assertEquals(List.of(), missing);
        missing.clear();
        for (Method m : LuaString.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || !Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            try {
                // the methods LuaString overrides of LuaValue's: a WideString must answer each as the string (or refuse)
                LuaValue.class.getMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException notLuaValues) {
                continue;
            }
            try {
                if (WideString.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass() != WideString.class) {
                    missing.add(m.toString());
                }
            } catch (NoSuchMethodException e) {
                missing.add(m.toString());
            }
        }
        assertEquals(List.of(), missing);
        LuaValue wide = WideNumber.guard(LuaValue.valueOf(Math.pow(2, 40)));
        assertEquals(LuaValue.valueOf(Math.pow(2, 40)).hashCode(), wide.hashCode());
        assertTrue(wide.raweq(LuaValue.valueOf(Math.pow(2, 40))) && LuaValue.valueOf(Math.pow(2, 40)).raweq(wide));
    }
}
