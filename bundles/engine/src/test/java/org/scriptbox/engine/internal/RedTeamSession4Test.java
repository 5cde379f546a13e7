package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Session-4 red team of issue 11 (engine side), with attacks that are neither the nor the earlier red
 * teams' own. Runs in both engine modes (the suite runs twice: interpreted and asm-strict). The
 * {@code @Ignore}'d tests are open findings (/work/coord/FINDINGS.md); the others are attacks that held, kept as
 * regression tests.
 */
public class RedTeamSession4Test {
    private final Scripts scripts = new Scripts();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "red-team-cancel");
        t.setDaemon(true);
        return t;
    });

    @After
    public void stopTimer() {
        timer.shutdownNow();
    }

    private static void assertNoJava(ExecutionResult r) {
        assertNoJava(r.values() + " " + r.error());
    }

    private static void assertNoJava(String all) {
        assertFalse(all, all.contains("java") || all.contains("Exception") || all.contains("vm error"));
    }

    // ---- F1: Java exceptions from Luaj's own library code (11.5) -------------------------------------

    /**
     * An unterminated character class or a {@code %f} without its set made Luaj's matcher index past the pattern:
     * {@code vm error: java.lang.ArrayIndexOutOfBoundsException: Index 2 out of bounds for length 2}, which
     * pcall did not catch. lua5.4 says {@code malformed pattern (missing ']')} and
     * {@code missing '[' after '%f' in pattern}.
     */
    @Test
    public void malformedPatternClassesAreCatchableLuaErrors() {
        String[] patterns = {"[a", "[%", "[]", "[^]", "[a-%]", "%f", "x%f", "%fa"};
        String[] calls = {"string.find('abc', p)", "string.match('abc', p)", "string.gsub('abc', p, 'z')",
                          "(function() for m in string.gmatch('abc', p) do end end)()"};
        for (String p : patterns) {
            for (String call : calls) {
                ExecutionResult r = scripts.run("local p = [==[" + p + "]==]\n"
                        + "return pcall(function() return " + call + " end)");
                assertEquals(p + " in " + call + ": " + r.error(), ScriptStatus.COMPLETED, r.status());
                assertEquals(p + " in " + call + ": " + r.values(), Boolean.FALSE, r.values().get(0));
                assertTrue(p + " in " + call + ": " + r.values(), String.valueOf(r.values().get(1)).contains("pattern"));
                assertNoJava(r);
            }
        }
    }

    /** {@code vm error: java.util.IllegalFormatFlagsException: Flags = '-0'}, not catchable by pcall. */
    @Test
    public void formatFlagCombinationsAreCatchableLuaErrors() {
        for (String f : new String[] {"%-099.99e", "%-05d", "%-0x", "%+-0g", "%-#0f"}) {
            ExecutionResult r = scripts.run("local ok, e = pcall(string.format, '" + f + "', 1.5)\n"
                    + "return ok, tostring(e)");
            assertEquals(f + ": " + r.error(), ScriptStatus.COMPLETED, r.status());
            assertNoJava(r);
        }
    }

    // ---- held: cancel and deadline cannot be caught, whatever catches (11.6, 11.2) ----------------------

    private ExecutionResult runCancelledAfter(long millis, String source) {
        scripts.withInstructions(Long.MAX_VALUE / 4).withTime(Duration.ofSeconds(20));
        timer.schedule(() -> scripts.cancellation.cancel("red team"), millis, TimeUnit.MILLISECONDS);
        return scripts.run(source);
    }

    /** A busy loop in a coroutine, resumed again and again by the main thread, which sees every error first. */
    @Test
    public void aCancelInsideResumedCoroutinesEndsTheRun() {
        ExecutionResult r = runCancelledAfter(150, "local function spin() while true do end end\n"
                + "while true do\n  local co = coroutine.create(spin)\n  local ok, e = coroutine.resume(co)\nend");
        assertEquals(r.error() + "", ScriptStatus.CANCELLED, r.status());
        assertTrue(r.duration().toMillis() + " ms", r.duration().toMillis() < 5_000);
    }

    /** xpcall's handler runs Lua code after the error: it must not turn a cancel into a value. */
    @Test
    public void xpcallsHandlerCannotCatchACancel() {
        ExecutionResult r = runCancelledAfter(150, "local function spin() while true do end end\n"
                + "local function keep(e) return e end\nwhile true do xpcall(spin, keep) end");
        assertEquals(r.error() + "", ScriptStatus.CANCELLED, r.status());
    }

    /** pcall inside a coroutine that yields the pcall's result to a pcall-ing main loop. */
    @Test
    public void aCancelCaughtInsideAWrappedCoroutineStillEndsTheRun() {
        ExecutionResult r = runCancelledAfter(150, "local function spin() while true do end end\n"
                + "local co = coroutine.wrap(function() while true do coroutine.yield(pcall(spin)) end end)\n"
                + "while true do pcall(co) end");
        assertEquals(r.error() + "", ScriptStatus.CANCELLED, r.status());
    }

    // ---- held: call depth in the parser, string length, load (11.3, 11.4) -----------------------------

    /** Nesting that Luaj's recursive-descent parser follows on the Java stack: a syntax error with position. */
    @Test
    public void deeplyNestedExpressionsInLoadAreSyntaxErrorsWithAPosition() {
        String[] sources = {
            "'return ' .. ('('):rep(4900) .. '1' .. (')'):rep(4900)",
            "'return ' .. ('{'):rep(4900)",
            "'return ' .. ('not '):rep(2400) .. '1'",
            "'return 2' .. ('^2'):rep(4900)",
            "'local a = 1 return ' .. ('a..'):rep(3300) .. 'a'",
            "'return ' .. ('-'):rep(1) .. (' -'):rep(4900) .. '1'",
        };
        for (String src : sources) {
            ExecutionResult r = scripts.run("local f, e = load(" + src + ")\nreturn f == nil, e");
            assertEquals(src + ": " + r.error(), ScriptStatus.COMPLETED, r.status());
            assertEquals(src + ": " + r.values(), Boolean.TRUE, r.values().get(0));
            assertTrue(src + ": " + r.values(), String.valueOf(r.values().get(1)).matches("\\[string \".*\"\\]:1: .*too many syntax levels.*"));
            assertNoJava(r);
        }
    }

    /** Five {@code %s} of a 9,000-character {@code __tostring}: 45,000 characters from one format call. */
    @Test
    public void formatOfTostringResultsHoldsTheStringLimit() {
        ExecutionResult r = scripts.run("local t = setmetatable({}, {__tostring = function() return ('x'):rep(9000) end})\n"
                + "local ok, e = pcall(string.format, '%s%s%s%s%s', t, t, t, t, t)\nreturn #string.format('%s', t)");
        assertEquals(r.error() + "", ScriptStatus.FAILED, r.status());
        assertEquals(ErrorKind.LIMIT, r.error().kind());
        assertTrue(r.error().message(), r.error().message().contains("string length limit"));
    }

    /** {@code rep} with a separator: 3,000 copies of a 3,000-character separator. */
    @Test
    public void repWithASeparatorHoldsTheStringLimit() {
        ExecutionResult r = scripts.run("return #('x'):rep(3000, ('y'):rep(3000))");
        assertEquals(r.error() + "", ErrorKind.LIMIT, r.error().kind());
    }

    /** A reader function feeding {@code load} 9,600-byte pieces for ever: refused, not a growing source. */
    @Test
    public void loadFromAnEndlessReaderIsRefused() {
        ExecutionResult r = scripts.run("local piece = ('x = 1 '):rep(1600)\nlocal n = 0\n"
                + "local f, e = load(function() n = n + 1 return piece end)\nreturn f == nil, tostring(e), n");
        assertTrue(r.error() + " " + r.values(), r.status() == ScriptStatus.COMPLETED
                ? Boolean.TRUE.equals(r.values().get(0)) : r.error().kind() == ErrorKind.LIMIT);
        assertTrue(r.allocatedBytes() + " bytes", r.allocatedBytes() < ResourceLimitsHolder.MEMORY);
    }

    /** The string metatable is shared by every execution: one run must not be able to change another's strings. */
    @Test
    public void theSharedStringMetatableCannotBeChangedByAScript() {
        ExecutionResult tamper = scripts.run("local mt = getmetatable('')\n"
                + "pcall(function() mt.__index.upper = function() return 'pwned' end end)\n"
                + "pcall(rawset, mt, '__index', {upper = function() return 'pwned' end})\n"
                + "pcall(function() mt.__add = function() return 'pwned' end end)\n"
                + "pcall(setmetatable, mt, {})\nstring.upper = function() return 'pwned' end\nreturn 'ok'");
        assertEquals(tamper.error() + "", ScriptStatus.COMPLETED, tamper.status());
        ExecutionResult next = scripts.run("return ('x'):upper(), tostring(getmetatable('').__add), string.upper('y')");
        assertEquals(java.util.List.of("X", "nil", "Y"), next.values());
    }

    // ---- F8: compile work is quadratic in jump lists (13.10) ------------------------------------------------

    /**
     * 150,000 {@code or} terms (750 KB, within max.source.bytes) took 28.9 s to compile (then "control structure
     * too long"): each term walks the whole jump list. In the container the compile holds the deploy watcher, so
     * every other script's deploy waited (35.8 s). The bound here is a stall bound (a compile deadline of 3 s
     * plus slack, or a linear compiler), not a speed target.
     */
    @Test(timeout = 120_000)
    public void compilingLongAndOrChainsIsNotQuadratic() {
        for (String op : new String[] {" or a", " and a"}) {
            String source = "local a = 1\nlocal b = a" + op.repeat(150_000) + "\nreturn b\n";
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long t0 = System.nanoTime();
            long cpu0 = threads.getCurrentThreadCpuTime();
            try {
                scripts.engine.compile("chain.lua", source);
            } catch (org.scriptbox.api.ScriptException expected) {
                assertNoJava(expected.getMessage());
            }
            // the bound is on the compiling thread's CPU (as the compile deadline is); wall time only as a stall bound
            long cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1_000_000;
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(op + ": compile took " + cpuMs + " ms of CPU", cpuMs < 3_500);
            assertTrue(op + ": compile took " + ms + " ms", ms < 60_000);   // a stall bound only: 31.5 s seen at load 15
        }
    }

    // ---- F9: host calls are charged to memory only (11.2) ------------------------------------------------------

    /**
     * {@code print} (in the container {@code log_info}) of a 9,999-character string in a loop: in the container 10,234 instructions took 223 ms (a
     * plain 1M-instruction run: 7-14 ms), ended only by the memory limit. With memory out of the way the run must
     * still end by its instruction budget at a CPU cost like the library calls' (at most ~8x plain, floor 150 ms).
     */
    @Test(timeout = 120_000)
    public void hostCallsWithLongStringsAreChargedLikeALoop() {
        org.scriptbox.api.ResourceLimits big = new org.scriptbox.api.ResourceLimits(Duration.ofSeconds(60), 1L << 40,
                1_000_000, 10_000, 1000, 50, 16);
        long plain = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            plain = Math.min(plain, runQuietly(big, "local x = 0\nwhile true do x = x + 1 end").cpuTime().toMillis());
        }
        for (String s : new String[] {"('x'):rep(9999)", "('\\27'):rep(9999)"}) {
            ExecutionResult r = runQuietly(big, "local s = " + s + "\nwhile true do print(s) end");
            assertEquals(r.error() + "", ErrorKind.LIMIT, r.error().kind());
            assertTrue(r.error().message(), r.error().message().contains("instruction limit"));
            long bound = Math.max(150, 8 * Math.max(plain, 1));
            assertTrue(s + ": " + r.cpuTime().toMillis() + " ms of CPU for " + r.instructions() + " instructions (plain "
                    + plain + " ms)", r.cpuTime().toMillis() < bound);
        }
    }

    /** A run whose log lines are dropped at once (the test must not keep gigabytes of them). */
    private ExecutionResult runQuietly(org.scriptbox.api.ResourceLimits limits, String source) {
        return scripts.engine.execute(scripts.engine.compile("test.lua", source), new org.scriptbox.api.engine.ExecutionRequest(
                "test", java.util.UUID.randomUUID().toString(), java.util.List.of(), limits, java.util.Set.of(),
                new org.scriptbox.api.engine.Cancellation(), org.scriptbox.api.engine.ModuleResolver.NONE, (level, message) -> { }));
    }

    /** The default memory limit, for bounds above. */
    private static final class ResourceLimitsHolder {
        static final long MEMORY = org.scriptbox.api.ResourceLimits.DEFAULTS.maxMemoryBytes();
    }
}
