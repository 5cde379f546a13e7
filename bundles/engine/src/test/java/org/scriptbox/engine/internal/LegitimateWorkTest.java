package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/** Heavy but legitimate work within the limits completes with the right result. */
public class LegitimateWorkTest {
    private final Scripts scripts = new Scripts().withInstructions(50_000_000).withTime(Duration.ofSeconds(20));

    @Test
    public void numericAndRecursiveWork() {
        ExecutionResult r = scripts.run("local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end\n"
                + "local s = 0 for i = 1, 100000 do s = s + i % 7 end\nreturn fib(20), s");
        assertEquals(r.error() + "", List.of(6765.0, 300000.0), r.values());
    }

    @Test
    public void stringsTablesPatternsAndCoroutinesNearTheLimits() {
        ExecutionResult r = scripts.run("local parts = {}\nfor i = 1, 1000 do parts[#parts + 1] = 'ab' end\n"
                + "local s = table.concat(parts, '', 1, 1000)\n"
                + "local n = select(2, s:gsub('ab', 'x'))\n"
                + "local t = {} for i = 1, 1000 do table.insert(t, (i * 7919) % 1000) end table.sort(t)\n"
                + "local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)\n"
                + "local k = 0 for w in ('a b c d'):gmatch('%a') do k = k + 1 end\n"
                + "return #s, n, t[1], t[1000], gen() + gen() + gen(), k, string.rep('ab', 5000, ''):len(), "
                + "string.format('%5d|%s', 42, 'x')");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of(2000.0, 1000.0, 0.0, 999.0, 6.0, 4.0, 10000.0, "   42|x"), r.values());
    }

    @Test
    public void formatHonoursFloatPrecisionLikeC() {
        ExecutionResult r = scripts.run("return string.format('%.1f', 10.02122235), ('%5.2f|'):format(3.14159), "
                + "string.format('%f', 2.5), string.format('%e', 12345.678), "
                + "string.format('%d %.2f %s %%', 3, 2.5, 'x'), string.format('%-6.1f|', 1)");
        assertEquals(r.error() + "", List.of("10.0", " 3.14|", "2.500000", "1.234568e+04", "3 2.50 x %", "1.0   |"),
                r.values());
    }

    @Test
    public void formatKeepsLuajsErrorsForBadFloatArguments() {
        ExecutionResult r = scripts.run("return string.format('%.1f', 'abc')");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertTrue(r.error().message(), r.error().message().contains("number expected"));
    }

    /** Lua 5.4's {@code %p}: the identity tostring shows, "(null)" for values that are no objects, width and '-' only. */
    @Test
    public void formatPercentPGivesTheIdentityTostringShows() {
        ExecutionResult r = scripts.run("local t, u, f = {}, {}, function() end\n"
                + "local co = coroutine.create(f)\n"
                + "return string.format('%p', t) == string.format('%p', t), string.format('%p', t) ~= string.format('%p', u),\n"
                + "  string.format('%p', t) == tostring(t):match('0x%x+') or tostring(t):match(': (%x+)') == string.format('%p', t):sub(3),\n"
                + "  string.format('%p', f):match('^0x%x+$') ~= nil, string.format('%p', co):match('^0x%x+$') ~= nil,\n"
                + "  string.format('%p', print):match('^0x%x+$') ~= nil, string.format('%p', 'ab') == string.format('%p', 'a' .. 'b'),\n"
                + "  string.format('%p|%p|%p|%p', 1, 2.5, nil, true), string.format('%8p|%-8p|', nil, false),\n"
                + "  select(2, pcall(string.format, '%.3p', t)), select(2, pcall(string.format, '%p'))");
        assertEquals(r.error() + "", List.of(true, true, true, true, true, true, true, "(null)|(null)|(null)|(null)",
                "  (null)|(null)  |", "invalid conversion specification: '%.3p'", "bad argument #2 to 'string.format' (no value)"),
                r.values());
    }

    @Test
    public void formatPercentSConvertsAnyValueLikeTostring() {
        ExecutionResult r = scripts.run("local p = setmetatable({}, {__tostring = function() return 'point(1,2)' end})\n"
                + "return string.format('%s|%s|%s|%-4s|', p, nil, true, false), string.format('%s', {}):match('^table: ')");
        assertEquals(r.error() + "", List.of("point(1,2)|nil|true|false|", "table: "), r.values());
    }

    @Test
    public void formatPercentSRejectsATostringThatReturnsNoString() {
        ExecutionResult r = scripts.run("local p = setmetatable({}, {__tostring = function() return {} end})\n"
                + "return string.format('%s', p)");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertTrue(r.error().message(), r.error().message().contains("'__tostring' must return a string"));
    }

    @Test
    public void formatPercentSTostringRunsUnderTheBudget() {
        ExecutionResult r = new Scripts().withInstructions(100_000).run(
                "local p = setmetatable({}, {__tostring = function() while true do end end})\n"
                + "return string.format('%s', p)");
        assertEquals(ErrorKind.LIMIT, r.error().kind());
        assertTrue(r.error().message(), r.error().message().contains("instruction limit"));
    }
}
