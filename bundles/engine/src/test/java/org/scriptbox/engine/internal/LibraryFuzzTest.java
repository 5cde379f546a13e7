package org.scriptbox.engine.internal;

import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Issue 11, class 5: every library function called with odd arguments (nil, NaN, infinities, huge and
 * negative numbers, empty and malformed patterns, tables whose metamethods raise or lie, functions,
 * coroutines) raises a Lua error or returns, never a Java exception: no message a script or an operator
 * sees names a Java class. A limit may end a batch (that is a proper end too). Deterministic seeds.
 */
public class LibraryFuzzTest {
    private static final String[] FUNCTIONS = {
        "string.byte", "string.char", "string.find", "string.format", "string.gmatch", "string.gsub", "string.len",
        "string.lower", "string.match", "string.rep", "string.reverse", "string.sub", "string.upper",
        "table.concat", "table.insert", "table.pack", "table.remove", "table.sort", "table.unpack",
        "math.abs", "math.ceil", "math.floor", "math.fmod", "math.max", "math.min", "math.modf", "math.random",
        "math.sqrt", "math.tointeger", "os.date", "os.time", "os.clock", "tostring", "tonumber", "select", "type",
        "rawget", "rawset", "rawlen", "rawequal", "setmetatable", "getmetatable", "next", "ipairs", "pairs",
        "pcall", "xpcall", "error", "assert", "load", "coroutine.create", "coroutine.resume", "coroutine.wrap",
        "coroutine.status", "coroutine.yield", "coroutine.running"};

    private static final String[] ODD = {
        "nil", "true", "false", "0", "-1", "1", "2", "3", "2^31", "-2^31 - 1", "2^53", "-2^63", "2^64", "0/0", "1/0",
        "-1/0", "1.5", "-0.5", "1e308", "''", "'x'", "'abc'", "string.rep('a', 200)", "'%'", "'%b'", "'%f'", "'['",
        "'[^'", "'(()'", "'%1'", "'(.)%1'", "'%d+'", "'%z'", "'%c%x%X%Y'", "'!*t'", "'*t'", "'%q'", "'%5.2s'",
        "'%99d'", "'%-+ #0d'", "'10'", "'0x10'", "'1e5'", "{}", "{1, 2, 3}", "{'a', 'b'}", "{1, 'x', {}}",
        "{year = 2^40, month = 1, day = 1}", "{year = 2026}",
        "setmetatable({}, {__index = function() error('idx') end})",
        "setmetatable({1, 2}, {__len = function() return 2^40 end})",
        "setmetatable({}, {__lt = function() error('lt') end})",
        "setmetatable({}, {__tostring = function() return {} end})",
        "setmetatable({}, {__tostring = function() error('ts') end})",
        "setmetatable({}, {__call = function() return 1 end})",
        "setmetatable({}, {__metatable = 'locked'})",
        "print", "function() end", "function() error({}) end", "coroutine.create(function() end)",
        "function(a, b) return true end"};

    @Test
    public void libraryFunctionsWithOddArgumentsRaiseLuaErrorsOnly() {
        Scripts scripts = new Scripts();
        SplittableRandom random = new SplittableRandom(20261201);
        List<String> leaks = new ArrayList<>();
        int calls = 0;
        for (String function : FUNCTIONS) {
            for (int batch = 0; batch < 4; batch++) {
                StringBuilder src = new StringBuilder("local out = {}\n");
                for (int call = 0; call < 15; call++) {
                    StringBuilder args = new StringBuilder();
                    int n = random.nextInt(5);
                    for (int a = 0; a < n; a++) {
                        args.append(a > 0 ? ", " : "").append(ODD[random.nextInt(ODD.length)]);
                    }
                    src.append("do local ok, e = pcall(").append(function).append(n > 0 ? ", " : "").append(args)
                            .append(") if not ok then out[#out + 1] = tostring(e) end end -- ").append(args).append('\n');
                    calls++;
                }
                src.append("return table.concat(out, '\\n')");
                ExecutionResult r = scripts.run(src.toString());
                String seen;
                if (r.status() == ScriptStatus.COMPLETED) {
                    seen = String.valueOf(r.values());
                } else {
                    seen = r.error().toString();
                    if (r.error().kind() != ErrorKind.LIMIT && r.error().kind() != ErrorKind.RUNTIME) {
                        leaks.add(function + ": ended " + r.status() + " " + r.error());
                    }
                }
                String lower = seen.toLowerCase();
                if (lower.contains("java") || seen.contains("Exception") || lower.contains("org.luaj")
                        || seen.contains("Error:")) {
                    leaks.add(function + ": " + seen);
                }
            }
        }
        assertTrue(calls + " calls; Java text reached the script:\n" + String.join("\n", leaks), leaks.isEmpty());
    }

    @Test
    public void callChainsThroughJavaOnlyEndWithTheDepthError() {
        Scripts scripts = new Scripts();
        String[] attacks = {
            "local t = setmetatable({}, {})\ngetmetatable(t).__call = t\nreturn t()",
            "local t = setmetatable({}, {})\ngetmetatable(t).__index = function(s, k) return tostring(s) end\n"
                    + "getmetatable(t).__tostring = function(s) return s.x end\nreturn t.x",
            "local mt = {}\nmt.__lt = function(a, b) return select(2, pcall(table.sort, {a, b})) end\n"
                    + "local t = {setmetatable({}, mt), setmetatable({}, mt)}\ntable.sort(t)",
            "local f\nf = function(s) return (s:gsub('.', f)) end\nreturn f('abc')",
            "local co\nco = function() return coroutine.wrap(co)() end\nreturn co()"};
        for (String attack : attacks) {
            ExecutionResult r = scripts.run(attack);
            assertTrue(attack + " -> " + r.status() + " " + r.error(), r.status() == ScriptStatus.FAILED
                    && r.error().kind() == ErrorKind.LIMIT);
            assertTrue(attack + " -> " + r.error(), !r.error().message().contains("Java"));
        }
    }
}
