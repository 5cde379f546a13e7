package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Red-team of the issue 11 fixes (classes 2-5), with attacks that are not the issue's own: library calls
 * (and VM operations) whose CPU per charged instruction was far above a plain instruction, Java text
 * reaching scripts, call-depth escapes, and limit breaches that pcall might catch. Runs in both engine
 * modes (the suite runs twice). Measurements quoted below are from the unfixed branch, CPU time of one
 * run on a shared 2-core machine, where a plain VM instruction cost ~11-40 ns.
 */
public class RedTeamLibraryTest {
    private final Scripts scripts = new Scripts();

    private static void assertLimit(ExecutionResult r, String limitText) {
        assertEquals(r.error() + "", ScriptStatus.FAILED, r.status());
        assertEquals(r.error() + "", ErrorKind.LIMIT, r.error().kind());
        assertTrue(r.error().message(), r.error().message().contains(limitText));
    }

    /** CPU of 1M plain VM instructions in this mode, the least of three runs (warms the JIT too). */
    private static long plainCpuMillis = -1;

    private long plainCpuMillis() {
        if (plainCpuMillis < 0) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                ExecutionResult r = new Scripts().withInstructions(1_000_000).withTime(Duration.ofSeconds(20))
                        .run("local x = 0\nwhile true do x = x + 1 end");
                best = Math.min(best, r.cpuTime().toMillis());
            }
            plainCpuMillis = Math.max(best, 1);
        }
        return plainCpuMillis;
    }

    /**
     * Ends by the instruction limit, and 1M instructions of it cost at most ~8x the CPU of 1M plain ones
     * (with a floor of 250 ms for timer granularity and a loaded machine). Unfixed, the attacks below
     * cost 350 ms to 1.2 s of CPU per million charged instructions, where a plain million took 11-40 ms.
     */
    private void assertChargedLikeALoop(String source) {
        long plain = plainCpuMillis();
        // Floor 250 ms: with session 8's faster plain loop (3 ms per million compiled) the floor is the bound, and
        // CI runs at load 17 read 208-218 ms for two charged attacks whose quiet figure is far below it (thread CPU
        // rises under load: JIT threads starved, caches shared). Unfixed holes cost 350 ms to 1.2 s.
        long bound = Math.max(250, 8 * plain);
        // A short warm-up run first: the first run of a source in a fresh JVM executes the library code
        // (LuaTable.unpack, varargs copies, ...) in the JVM's bytecode interpreter before C2 compiles it, which
        // on a loaded 2-core CI machine cost 246 ms where the warmed run costs 45-58 ms (CI run of abed69e).
        // The bound is about the charge per unit of work in steady state; an unfixed hole costs 2-8x the bound
        // in every run, warm or not.
        scripts.withInstructions(200_000).withTime(Duration.ofSeconds(20)).withMemory(1L << 40).run(source);
        ExecutionResult r = null;
        // The best of up to five runs: CPU time on a loaded 2-core machine varies by a few tens of ms (157 ms seen
        // against the 150 ms floor in the asm-mode suite).
        for (int attempt = 0; attempt < 5 && (r == null || r.cpuTime().toMillis() >= bound); attempt++) {
            r = scripts.withInstructions(1_000_000).withTime(Duration.ofSeconds(20)).withMemory(1L << 40)
                    .run(source);
            assertLimit(r, "instruction limit of 1000000");
        }
        System.out.println("red-team cpu " + r.cpuTime().toMillis() + " ms (plain " + plain + " ms): " + source);
        assertTrue("cpu " + r.cpuTime().toMillis() + " ms for " + r.instructions() + " instructions (plain " + plain
                + " ms, bound " + bound + " ms): " + source, r.cpuTime().toMillis() < bound);
    }

    /**
     * Session 7 (engine-text, own red team): a number's text is made by the engine now (C9), exactly; numbers near
     * 1e-300, 1e300 and subnormals take the slower integer path, and every door charges them by weight
     * ({@code NumberText.weight}): none of these is cheaper per charged instruction than the loops above.
     */
    @Test
    public void slowNumberTextsArePaidForAtEveryDoor() {
        assertChargedLikeALoop("local x, y = 1.2345678901234567e-300, 4.9e-324\nwhile true do local s = x .. y .. x .. y end");
        assertChargedLikeALoop("local t = {}\nfor i = 1, 400 do t[i] = i * 1.2345678901234567e+300 end\n"
                + "while true do table.concat(t, ',') end");
        assertChargedLikeALoop("local x = 2^-1074\nwhile true do tostring(x) tostring(-x * 3) end");
        assertChargedLikeALoop("while true do string.format('%s%s%g%g%a', 1e-300, 5e-324, 1e300, 2^-1060, 5e-324) end");
        assertChargedLikeALoop("while true do string.format('%99.99f%.99e%.99g', 1e-300, 5e-324, 1/3) end");
        assertChargedLikeALoop("local s = ('x'):rep(200)\nlocal f = function() return 1.2345678901234567e-300 end\n"
                + "while true do s:gsub('x', f) end");
        assertChargedLikeALoop("while true do string.rep(1e-300, 3, 5e-324) string.len(2^-1073) end");
        // %q of control characters (each was a java.util.Formatter call in the first cut of the engine's format)
        assertChargedLikeALoop("local s = ('\\1\\0002\\r'):rep(500)\nwhile true do string.format('%q', s) end");
    }

    // ---- class 5: Java exceptions -------------------------------------------------------------------

    /** {@code %f} at the start of the subject looked up character -1: {@code vm error: java.lang.ArrayIndexOutOfBoundsException}. */
    @Test
    public void frontierAtTheSubjectsStartRaisesNoJavaException() {
        for (String p : new String[] {"%f[%z]", "%f[%a]", "%f[%W]", "%f[^%s]", "%f[%d]x"}) {
            ExecutionResult r = scripts.run("return pcall(string.find, ('hello world'), '" + p + "')");
            assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
            assertFalse(r.values().toString(), r.values().toString().contains("java"));
            r = scripts.run("return ('hello world'):gsub('" + p + "', '|')");
            assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        }
    }

    /** A frontier after the last character reads past the subject in Luaj. */
    @Test
    public void frontierAtTheSubjectsEndRaisesNoJavaException() {
        for (String src : new String[] {"return pcall(string.find, 'abc', 'c%f[%a]')",
                "return pcall(string.find, 'abc', '%f[%a]', 4)", "return pcall(string.match, 'abc', '.-%f[%z]$')",
                "return pcall(string.gsub, 'abc', 'c%f[%z]', 'x')"}) {
            ExecutionResult r = scripts.run(src);
            assertEquals(src + " " + r.error(), ScriptStatus.COMPLETED, r.status());
            assertFalse(src + " " + r.values(), r.values().toString().toLowerCase().contains("java"));
        }
    }

    // ---- class 2: CPU per charged instruction -------------------------------------------------------

    /** {@code tonumber} of a 10,000-byte string was charged 4: ~470 ns per instruction (~40x). */
    @Test
    public void tonumberOfALongStringIsChargedPerByte() {
        assertChargedLikeALoop("local s = string.rep('1', 9999)\nfor i = 1, 1000000 do tonumber(s) end");
        assertChargedLikeALoop("local s = string.rep(' ', 9998) .. '1'\nfor i = 1, 1000000 do tonumber(s) end");
        assertChargedLikeALoop("local s = string.rep('z', 9999)\nfor i = 1, 1000000 do tonumber(s, 36) end");
    }

    /** {@code string.format('%99.99f', 1e308)}: ~410 digits made by Java's BigDecimal for 60 instructions (~25x). */
    @Test
    public void longFloatConversionsInFormatAreChargedPerCharacter() {
        assertChargedLikeALoop("for i = 1, 1000000 do string.format('%99.99f', 1e308) end");
        assertChargedLikeALoop("for i = 1, 1000000 do string.format('%.99e%.99e%.99e', 1e308, -1e-308, 1/3) end");
        assertEquals(List.of("3.14"), scripts.run("return string.format('%.2f', 3.14159)").values());
    }

    /** {@code pcall(error, m)} with a 10,000-byte message: ~100 us per call against ~160 instructions. */
    @Test
    public void caughtErrorsAreChargedPerByteOfTheirMessage() {
        assertChargedLikeALoop("local m = string.rep('x', 9990)\nfor i = 1, 1000000 do pcall(error, m) end");
        assertChargedLikeALoop("local m = string.rep('x', 9990)\nfor i = 1, 1000000 do pcall(error, m, 2) end");
        assertChargedLikeALoop("local m = string.rep('x', 9990)\n"
                + "for i = 1, 1000000 do xpcall(error, function(e) return e end, m) end");
    }

    /** {@code load(s, name)} with a 10,000-character name: ~90 KB and ~600 us per load, against ~80 instructions. */
    @Test
    public void longChunkNamesAreCutAsInLua() {
        assertChargedLikeALoop("local n = string.rep('x', 9999)\nfor i = 1, 1000000 do load('error()', n) end");
        ExecutionResult r = scripts.run("local n = string.rep('x', 9999)\nlocal f = load('error(\"boom\")', '=' .. n)\n"
                + "local ok, e = pcall(f)\nreturn #e < 100, e:sub(-4)");
        assertEquals(r.error() + "", List.of(true, "boom"), r.values());
    }

    /** {@code a .. a} of two 4,999-byte strings was one instruction for ~1.2 us of CPU (and 10 KB). */
    @Test
    public void concatenationIsChargedPerByteCopied() {
        ExecutionResult r = scripts.withInstructions(1_000_000).withMemory(1L << 40).withTime(Duration.ofSeconds(20))
                .run("local a = string.rep('a', 4999)\nlocal x\nfor i = 1, 1000000 do x = a .. a end");
        assertLimit(r, "instruction limit of 1000000");
        assertTrue("cpu " + r.cpuTime().toMillis() + " ms", r.cpuTime().toMillis() < Math.max(150, 8 * plainCpuMillis()));
        r = scripts.withInstructions(1_000_000).run("local a = string.rep('a', 3000)\nlocal x\n"
                + "for i = 1, 1000000 do x = a .. a .. a end");
        assertLimit(r, "instruction limit of 1000000");
    }

    /**
     * 999 keys of 9,000 bytes that differ only in bytes Luaj's sampled string hash skips: one hash chain,
     * each store comparing ~9,000 bytes per key already in it. Unfixed: 999 stores took 1.3 s of CPU in
     * ~4,000 instructions, ending a 300 ms run after 1.3-1.6 s (both modes). Now long chains are charged.
     */
    @Test
    public void collidingLongStringKeysAreChargedAndMeetTheDeadline() {
        String keys = "local pre = string.rep('a', 8997)\nlocal keys = {}\nlocal c = string.char\n"
                + "for i = 1, 999 do keys[i] = pre .. c(65 + i % 50) .. c(65 + math.floor(i / 50)) .. 'a' end\n"
                + "local k = pre .. 'zz' .. 'a'\nlocal t = {}\n";
        ExecutionResult r = new Scripts().withInstructions(100_000_000_000L).withTime(Duration.ofMillis(300))
                .run(keys + "for i = 1, 999 do t[keys[i]] = i end\nfor i = 1, 1e9 do local _ = t[k] end");
        assertEquals(r.error() + "", ScriptStatus.TIMEOUT, r.status());
        assertTrue("run took " + r.duration().toMillis() + " ms", r.duration().toMillis() < 600);
        assertLimit(scripts.withTime(Duration.ofSeconds(20)).run(keys + "for i = 1, 999 do t[keys[i]] = i end"),
                "instruction limit of 1000000");
    }

    /**
     * Comparing two long strings was one VM instruction (or 5 per sort comparison) for a byte-by-byte loop
     * over up to 10,000 bytes in Luaj's {@code LuaString.strcmp}/{@code raweq}: measured 11,148
     * instructions in 62 ms of CPU (~5.6 us per instruction, ~150-400x a plain one); {@code a == b} of two
     * equal 10,000-byte strings ~1.1-1.5 us per instruction. Now every comparison of two strings (OP_EQ,
     * OP_LT, OP_LE in both modes, {@code rawequal}, {@code table.sort}) pays for the bytes it compared.
     */
    @Test
    public void comparingLongStringsIsCharged() {
        String two = "local a = string.rep('a', 9999) .. 'b'\nlocal b = string.rep('a', 9999) .. 'c'\n"
                + "local e = string.rep('a', 9999) .. 'b'\nlocal n = 0\n";
        assertChargedLikeALoop(two + "for i = 1, 1000000 do if a < b then n = n + 1 end end");
        assertChargedLikeALoop(two + "for i = 1, 1000000 do if b <= a then n = n + 1 end end");
        assertChargedLikeALoop(two + "for i = 1, 1000000 do if a > b then n = n + 1 end end");
        assertChargedLikeALoop(two + "for i = 1, 1000000 do if a == e then n = n + 1 end end");
        assertChargedLikeALoop(two + "for i = 1, 1000000 do if a ~= e then n = n + 1 end end");
        assertChargedLikeALoop(two + "for i = 1, 1000000 do if rawequal(a, e) then n = n + 1 end end");
        // Same length and the same (sampled) hash, different in the next-to-last byte: compared to the end.
        assertChargedLikeALoop(two + "local c = string.rep('a', 9998) .. 'cb'\n"
                + "for i = 1, 1000000 do if a == c then n = n + 1 end end");
        assertChargedLikeALoop("local pre = string.rep('a', 9990)\nlocal t = {}\n"
                + "for i = 1, 100 do t[i] = pre .. string.format('%05d', (i * 7919) % 100) end\n"
                + "for k = 1, 1000000 do table.sort(t) end");
        assertChargedLikeALoop("local pre = string.rep('a', 9990)\nlocal t = {}\n"
                + "for i = 1, 100 do t[i] = pre .. string.format('%05d', (i * 7919) % 100) end\n"
                + "for k = 1, 1000000 do table.sort(t, function(x, y) return x > y end) end");
    }

    /**
     * Results of charged string comparisons are Lua's (bytes compare as unsigned values, as C's strcoll in the C
     * locale, a prefix is less); they were Luaj's signed ones ({@code p .. '\200' < p .. 'a'} was true).
     */
    @Test
    public void chargedComparisonsGiveLuasAnswers() {
        ExecutionResult r = scripts.run("local p = string.rep('x', 40)\n"
                + "local a, b, c = p .. 'a', p .. 'b', p .. 'a'\n"
                + "return a < b, b < a, a <= c, a == c, a ~= b, rawequal(a, c), p < a, a < p, p .. '\\200' < p .. 'a',"
                + " 'ab' < 'b', ('y'):rep(20) == ('y'):rep(20), ('y'):rep(20) == ('y'):rep(21)");
        assertEquals(r.error() + "", List.of(true, false, true, true, true, true, true, false, false, true, true, false),
                r.values());
    }

    /**
     * Up to 8 long keys of one length and one (sampled) hash sit in one hash chain too short for the
     * long-chain charge, and every lookup of another such key compared all of them byte by byte: 80 KB
     * compared per table access of one instruction. Now the bytes compared are charged; also for
     * {@code next} and removals.
     */
    @Test
    public void lookupsThatCompareLongKeysAreCharged() {
        String keys = "local pre = string.rep('a', 9997)\nlocal t = {}\n"
                + "for i = 1, 8 do t[pre .. string.char(65 + i) .. 'a'] = i end\n"
                + "local k = pre .. 'z' .. 'a'\nlocal n = 0\n";
        assertChargedLikeALoop(keys + "for i = 1, 1000000 do if t[k] then n = n + 1 end end");
        assertChargedLikeALoop(keys + "for i = 1, 1000000 do t[k] = nil end");
        assertChargedLikeALoop(keys + "for i = 1, 1000000 do rawset(t, k, 1) rawset(t, k, nil) end");
        assertChargedLikeALoop(keys + "local last = pre .. string.char(65 + 8) .. 'a'\n"
                + "for i = 1, 1000000 do next(t, last) end");
        ExecutionResult r = scripts.run(keys + "return t[pre .. 'Ca'], t[k]");
        assertEquals(r.error() + "", java.util.Arrays.asList(2.0, null).toString(), r.values().toString());
    }

    /** A run of long comparisons stops at its deadline and at a cancel as promptly as a plain loop. */
    @Test
    public void longComparisonsMeetDeadlineAndCancel() throws Exception {
        String loop = "local a = string.rep('a', 9999) .. 'b'\nlocal b = string.rep('a', 9999) .. 'c'\n"
                + "local t = {} for i = 1, 200 do t[i] = string.rep('a', 9995) .. string.format('%05d', i) end\n"
                + "print('comparing')\nwhile true do local _ = a < b table.sort(t, function(x, y) return x > y end) end";
        ExecutionResult r = new Scripts().withInstructions(Long.MAX_VALUE / 2).withMemory(1L << 40)
                .withTime(Duration.ofMillis(300)).run(loop);
        assertEquals(r.error() + "", ScriptStatus.TIMEOUT, r.status());
        System.out.println("long comparisons: TIMEOUT after " + r.duration().toMillis() + " ms of a 300 ms limit");
        // CPU holds under load (wall time of a descheduled thread does not); the wall bound is generous
        assertTrue("cpu " + r.cpuTime().toMillis() + " ms", r.cpuTime().toMillis() < 300 + 100);
        assertTrue("run took " + r.duration().toMillis() + " ms", r.duration().toMillis() < 300 + 5_000);

        Scripts cancelled = new Scripts().withInstructions(Long.MAX_VALUE / 2).withMemory(1L << 40)
                .withTime(Duration.ofSeconds(60));
        java.util.concurrent.CompletableFuture<ExecutionResult> run =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> cancelled.run(loop));
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (!cancelled.log.contains("INFO comparing") && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertTrue("the script reached its loop", cancelled.log.contains("INFO comparing"));
        long at = System.nanoTime();
        cancelled.cancellation.cancel("operator");
        r = run.get(20, java.util.concurrent.TimeUnit.SECONDS);
        long tookMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at);
        assertEquals(r.error() + "", ScriptStatus.CANCELLED, r.status());
        System.out.println("long comparisons: CANCELLED " + tookMs + " ms after the cancel");
        assertTrue(tookMs + " ms", tookMs < 5_000); // measured 0-1 ms idle; generous for a loaded machine
    }

    /**
     * Red-team F9: {@code print} (in the container also {@code log_info}, a host function) of a 9,999-character
     * string in a loop: 1M instructions used ~31x the CPU of 1M plain ones (engine alone), ~800x in the
     * container, ended only by the memory limit. Printed text and converted host-call arguments are charged now.
     */
    @Test
    public void printAndHostCallsWithLongStringsAreChargedLikeALoop() {
        assertChargedLikeALoop("local s = ('x'):rep(9999)\nwhile true do print(s) end");
        assertChargedLikeALoop("local s = ('\\27'):rep(9999)\nwhile true do print(s) end");
        Scripts host = new Scripts().withLibrary("t", java.util.Map.of("echo", (scope, args) -> args[0]));
        ExecutionResult r = host.withInstructions(1_000_000).withTime(Duration.ofSeconds(20)).withMemory(1L << 40)
                .run("local s = ('x'):rep(9999)\nwhile true do echo(s) end");
        assertLimit(r, "instruction limit of 1000000");
        long bound = Math.max(150, 8 * plainCpuMillis());
        assertTrue("cpu " + r.cpuTime().toMillis() + " ms (bound " + bound + ")", r.cpuTime().toMillis() < bound);
    }

    /**
     * A Java exception escaping VM code (not a library: those are turned into Lua errors at their door)
     * reached the script as Luaj's {@code vm error: java.lang....}. The VM's error for it has no Java text.
     */
    @Test
    public void anInternalErrorOfTheVmCarriesNoJavaText() {
        org.luaj.vm2.LuaError e = new org.scriptbox.engine.vm.Meter() {
            @Override public void enter() { }
            @Override public void exit() { }
            @Override public void tick() { }
            @Override public void concat(org.luaj.vm2.LuaValue[] stack, int b, int c) { }
            @Override public void tailCall(org.luaj.vm2.Prototype p, int pc) { }
            @Override public void unwinding(Error err, org.luaj.vm2.Prototype p, int pc) { }
            @Override public void charge(int n) { }
        }.internalError(new ArrayIndexOutOfBoundsException("Index 2 out of bounds for length 2"));
        assertFalse(e.getMessage(), e.getMessage().contains("java") || e.getMessage().contains("Index"));
        Throwable t = new org.scriptbox.engine.vm.Meter() {
            @Override public void enter() { }
            @Override public void exit() { }
            @Override public void tick() { }
            @Override public void concat(org.luaj.vm2.LuaValue[] stack, int b, int c) { }
            @Override public void tailCall(org.luaj.vm2.Prototype p, int pc) { }
            @Override public void unwinding(Error err, org.luaj.vm2.Prototype p, int pc) { }
            @Override public void charge(int n) { }
        }.compiledUnwind(new ClassCastException("org.luaj.vm2.LuaTable cannot be cast"), new org.luaj.vm2.Prototype(), 0);
        assertFalse(t.getMessage(), t.getMessage().contains("java") || t.getMessage().contains("cast"));
    }

    /** Functions whose charges already held (regression guard for the fixed classes, new cases). */
    @Test
    public void otherLibraryLoopsStayChargedLikeALoop() {
        for (String src : new String[] {
                "local t = {} for i = 1, 250 do t[i] = i end for j = 1, 1000000 do select('#', table.unpack(t)) end",
                "local s = string.rep('a', 9999) for j = 1, 1000000 do s:byte(1, -1) end",
                "local s = string.rep('a', 9999) for j = 1, 1000 do for a, b, c in s:gmatch('()()()') do end end",
                "for j = 1, 1000000 do os.date('!%Y-%m-%dT%H:%M:%S', j) end",
                "for j = 1, 1000000 do os.time({year = 2^31 - 1, month = 1, day = 1, hour = 2^31 - 1}) end",
                "local t = {} for i = 1, 250 do t[i] = 65 end for j = 1, 1000000 do string.char(table.unpack(t)) end",
                "for i = 1, 1000 do string.gsub(string.rep('a', 9999), '', '') end",
                "local s = string.rep('a', 30) for i = 1, 1000 do s:find(string.rep('a*', 30) .. 'b') end",
                "for j = 1, 1000000 do load('return 1', 'x', 't', {}) end",
                "for i = 1, 1000000 do string.rep('', 2^31 - 1) string.rep('', 2^31 - 1, '') end",
        }) {
            assertChargedLikeALoop(src);
        }
    }

    // ---- class 3: string length ----------------------------------------------------------------------

    @Test
    public void newWaysToAskForALongStringMeetTheLimit() {
        assertLimit(scripts.run("return #string.rep(string.rep('x', 10000), 2^31 - 1)"), "string length limit");
        assertLimit(scripts.run("return #string.rep('x', 2^30, 'y')"), "string length limit");
        assertLimit(scripts.run("return #string.rep(string.rep('a', 100), 100, string.rep('b', 100))"),
                "string length limit");
        assertLimit(scripts.run("local s = string.rep('a', 10000)\nreturn #s:gsub('a', string.rep('b', 9999))"),
                "string length limit");
        assertLimit(scripts.run("return string.format('%q', string.rep('\\0', 9999))"), "string length limit");
        assertLimit(scripts.run("return xpcall(function() error('x') end, function(e) return string.rep('x', 6000) .. string.rep('y', 6000) end)"),
                "string length limit");
        assertLimit(scripts.run("local t = {} local s = string.rep('a', 5000) for i = 1, 3 do t[i] = s end\n"
                + "return pcall(table.concat, t)"), "string length limit");
    }

    // ---- class 4: call depth through new re-entries ---------------------------------------------------

    @Test
    public void newReentriesMeetTheDepthLimit() {
        for (String src : new String[] {
                "local t local mt = {__len = function(x) table.insert(t, 1) return 1 end} t = setmetatable({}, mt) table.insert(t, 1)",
                "local t local mt = {__index = function(x, i) return (table.unpack(t, 1, 1)) end} t = setmetatable({}, mt) return table.unpack(t, 1, 1)",
                "local t local mt = {__index = function(x, i) table.sort(t) end, __len = function() return 2 end} t = setmetatable({}, mt) table.sort(t)",
                "local mt = {} mt.__tostring = function(x) print(x) return 'a' end print(setmetatable({}, mt))",
                "local mt = {} mt.__tostring = function(x) return tostring(x) end return pcall(tostring, setmetatable({}, mt))",
                "local mt = {} mt.__concat = function(a, b) return a .. b end return pcall(function() return setmetatable({}, mt) .. 'x' end)",
                "local mt = {} mt.__unm = function(a) return -a end return pcall(function() return -setmetatable({}, mt) end)",
                "local mt = {} mt.__eq = function(a, b) return a == b end local a, b = setmetatable({}, mt), setmetatable({}, mt) return pcall(function() return a == b end)",
                "local function r() return load(r) end return pcall(load, r)",
        }) {
            ExecutionResult r = scripts.run(src);
            assertLimit(r, "call depth limit of 50 exceeded");
            assertFalse(r.error().message(), r.error().message().contains("Java"));
        }
    }

    // ---- limits cannot be caught ---------------------------------------------------------------------

    @Test
    public void breachesInsideCallbacksAreNotCaught() {
        scripts.withTime(Duration.ofSeconds(10));
        assertLimit(scripts.run("return 'survived', xpcall(function() error('x') end, function(e) while true do end end)"),
                "instruction limit");
        assertLimit(scripts.run("local n = 0\nreturn 'survived', xpcall(function() while true do end end, "
                + "function(e) n = n + 1 return e end), n"), "instruction limit");
        assertLimit(scripts.run("local f, e = load(function() return string.rep('x', 6000) .. string.rep('x', 6000) end)\n"
                + "return 'survived', f, e"), "string length limit");
        assertLimit(scripts.run("local f, e = load(function() while true do end end)\nreturn 'survived', f, e"),
                "instruction limit");
        assertLimit(scripts.run("return 'survived', pcall(table.sort, {3, 2, 1}, function(a, b) "
                + "local s = string.rep('x', 6000) .. string.rep('x', 6000) return a < b end)"), "string length limit");
        assertLimit(scripts.run("local co = coroutine.wrap(function() while true do end end)\nreturn 'survived', pcall(co)"),
                "instruction limit");
        assertLimit(scripts.run("return 'survived', pcall(string.gsub, 'abc', '.', function() while true do end end)"),
                "instruction limit");
    }
}
