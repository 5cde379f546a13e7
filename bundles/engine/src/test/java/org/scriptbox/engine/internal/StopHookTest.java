package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ExecutionEnd;
import org.scriptbox.api.engine.ScriptCallException;
import org.scriptbox.api.engine.ScriptFunction;

/** The script's {@code on_stop} hook: once, after an abnormal end, under its own small budget. */
public class StopHookTest {
    private final Scripts scripts = new Scripts();
    /** What the "device" saw, in order; and whether each call's scope was cancelled. */
    private final List<String> device = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch started = new CountDownLatch(1);
    /** Registered by every "device" call, as the devices bundle does for its safe state. */
    private final Consumer<ExecutionEnd> endListener = end -> device.add("end " + end.reason());

    public StopHookTest() {
        scripts.engine.stopHookSettings(new StopHookSettings(10_000, Duration.ofMillis(300), Set.of("devices")));
        ScriptFunction set = (scope, args) -> {
            scope.onEnd(endListener);
            device.add("set " + args[0] + (scope.cancellation().isCancelled() ? " (cancelled scope)" : ""));
            return true;
        };
        ScriptFunction sleep = (scope, args) -> {
            scope.onEnd(endListener);
            started.countDown();
            scope.sleep(TimeUnit.MILLISECONDS.toNanos(((Double) args[0]).longValue()));
            return null;
        };
        ScriptFunction waitForAnswer = (scope, args) -> {
            scope.onEnd(endListener);
            // a driver that waits for an answer that never comes, until its scope is cancelled
            try {
                scope.cancellation().await(TimeUnit.SECONDS.toNanos(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            device.add("wait ended");
            return null;
        };
        scripts.withLibrary("devices", Map.of("set", set, "sleep", sleep, "wait_for_answer", waitForAnswer));
        scripts.withLibrary("other", Map.of("other_call", (scope, args) -> {
            device.add("other_call");
            return null;
        }));
    }

    private ExecutionResult runAndCancel(String source) throws Exception {
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> scripts.run(source));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        scripts.cancellation.cancel("shell");
        return run.get(10, TimeUnit.SECONDS);
    }

    @Test
    public void aCancelledRunsHookRunsOnceWithItsReasonAndMayCallTheDevice() throws Exception {
        ExecutionResult r = runAndCancel("on_stop(function(reason) set(reason) end)\nset('start')\nsleep(60000)\n"
                + "set('after')");
        assertEquals(ScriptStatus.CANCELLED, r.status());
        assertNull(r.cleanupError());
        assertEquals(List.of("set start", "set cancelled", "end cancelled"), device);
    }

    @Test
    public void aCompletedRunDoesNotRunTheHook() {
        ExecutionResult r = scripts.run("on_stop(function(reason) set(reason) end)\nset('main')\nreturn 1");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of("set main", "end completed"), device);
    }

    @Test
    public void theReasonNamesTheKindOfEnd() {
        String hook = "on_stop(function(reason) set(reason) end)\n";
        assertEquals(ScriptStatus.FAILED, scripts.run(hook + "error('boom')").status());
        scripts.withInstructions(5_000);
        assertEquals(ScriptStatus.FAILED, scripts.run(hook + "while true do end").status());
        scripts.withInstructions(1_000_000).withTime(Duration.ofMillis(200));
        assertEquals(ScriptStatus.TIMEOUT, scripts.run(hook + "sleep(60000)").status());
        assertEquals(List.of("set error", "end error", "set limit", "end limit", "set timeout", "end timeout"), device);
    }

    @Test
    public void aLoopingHookIsCutByItsOwnInstructionBudgetAndTheRunKeepsItsStatus() {
        ExecutionResult r = scripts.run("on_stop(function() set('hook') while true do end end)\nerror('boom')");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertEquals(ErrorKind.RUNTIME, r.error().kind());
        assertTrue(r.error().message(), r.error().message().contains("boom"));
        assertNotNull(r.cleanupError());
        assertEquals(ErrorKind.LIMIT, r.cleanupError().kind());
        assertTrue(r.cleanupError().message(), r.cleanupError().message().startsWith("on_stop: instruction limit of 10000"));
        assertEquals(1, r.cleanupError().line());
        assertTrue(scripts.log.toString(), scripts.log.stream().anyMatch(l -> l.startsWith("ERROR on_stop failed: test.lua:1")));
        assertEquals(List.of("set hook", "end error"), device);
    }

    @Test
    public void aHookThatWaitsIsCutByItsOwnTime() {
        long t0 = System.nanoTime();
        ExecutionResult r = scripts.run("on_stop(function() sleep(60000) end)\nerror('boom')");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(ScriptStatus.FAILED, r.status());
        assertNotNull(r.cleanupError());
        assertTrue(r.cleanupError().toString(), r.cleanupError().kind() == ErrorKind.TIMEOUT
                || r.cleanupError().kind() == ErrorKind.CANCELLED);
        assertTrue("ended near the hook's 300 ms: " + ms, ms >= 300 && ms < 3_000);
    }

    @Test
    public void aHostCallThatBlocksInTheHookSeesItsScopeCancelledAtTheHooksDeadline() {
        long t0 = System.nanoTime();
        ExecutionResult r = scripts.run("on_stop(function() wait_for_answer() set('after wait') end)\nerror('boom')");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue("ended near the hook's 300 ms: " + ms, ms >= 300 && ms < 3_000);
        assertEquals(ErrorKind.CANCELLED, r.cleanupError().kind());
        assertEquals(List.of("wait ended", "end error"), device);
    }

    @Test
    public void onlyTheAllowedLibrariesAreAvailableInTheHook() {
        ExecutionResult r = scripts.run("on_stop(function() set(pcall(other_call)) other_call() end)\nerror('boom')");
        assertEquals(ErrorKind.PERMISSION, r.cleanupError().kind());
        assertTrue(r.cleanupError().message(), r.cleanupError().message().contains("other_call is not available in on_stop"));
        assertEquals(List.of("set false", "end error"), device);
    }

    @Test
    public void theHookCannotBeReArmedAndRunsOnce() {
        ExecutionResult r = scripts.run("local n = 0\non_stop(function() n = n + 1 set(n) on_stop(function() set('again') end) end)\n"
                + "error('boom')");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertTrue(r.cleanupError().message(), r.cleanupError().message().contains("on_stop cannot be called from the on_stop hook"));
        assertEquals(List.of("set 1.0", "end error"), device);
    }

    @Test
    public void aLaterOnStopReplacesTheEarlierOneAndNilRemovesIt() {
        scripts.run("on_stop(function() set('first') end) on_stop(function() set('second') end) error('x')");
        scripts.run("on_stop(function() set('third') end) on_stop(nil) error('x')");
        assertEquals(List.of("set second", "end error"), device);
        assertEquals(ScriptStatus.FAILED, scripts.run("on_stop(42)").status());
    }

    @Test
    public void aFailingHookIsRecordedAndLoggedButTheRunKeepsItsError() {
        ExecutionResult r = scripts.run("on_stop(function() error('cleanup broke') end)\nlocal x = nil + 1");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertTrue(r.error().message(), r.error().message().contains("arithmetic"));
        assertEquals(ErrorKind.RUNTIME, r.cleanupError().kind());
        assertTrue(r.cleanupError().message(), r.cleanupError().message().contains("cleanup broke"));
        assertEquals(1, r.cleanupError().line());
    }

    @Test
    public void theHookRunsAfterTheMemoryLimitWithAFreshCount() {
        scripts.withMemory(8L << 20);
        ExecutionResult r = scripts.run("on_stop(function(reason) set(reason) end)\nlocal t = {}\n"
                + "for i = 1, 1e9 do t[i % 500 + 1] = string.rep('x', 5000) .. i end");
        assertEquals(ErrorKind.LIMIT, r.error().kind());
        assertTrue(r.error().message(), r.error().message().startsWith("memory limit"));
        assertNull(r.cleanupError());
        assertEquals(List.of("set limit", "end limit"), device);
    }

    @Test
    public void theHookRunsAfterACancelThatPcallTriedToCatchAndMainCodeAfterItDoesNot() throws Exception {
        ExecutionResult r = runAndCancel("on_stop(function(reason) set('hook ' .. reason) end)\n"
                + "local ok = pcall(sleep, 60000)\nset('after pcall')\nreturn 'survived'");
        assertEquals(ScriptStatus.CANCELLED, r.status());
        assertFalse(device.contains("set after pcall"));
        assertEquals(List.of("set hook cancelled", "end cancelled"), device);
    }

    @Test
    public void aHookInACoroutineLeftSuspendedStillRuns() {
        ExecutionResult r = scripts.run("local co = coroutine.create(function() on_stop(function() set('hook') end)"
                + " coroutine.yield() end)\ncoroutine.resume(co)\nerror('boom')");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertNull(r.cleanupError());
        assertEquals(List.of("set hook", "end error"), device);
    }

    @Test
    public void theHooksMemoryIsAQuarterOfTheRuns() {
        // instructions and time enough that memory is the limit that breaks (string.rep is charged per character)
        scripts.engine.stopHookSettings(new StopHookSettings(1_000_000_000, Duration.ofSeconds(10), Set.of("devices")));
        scripts.withMemory(16L << 20);
        ExecutionResult r = scripts.run("on_stop(function() set('hook') local t = {} for i = 1, 1e9 do"
                + " t[i % 100 + 1] = string.rep('x', 9000) .. i end end)\nerror('boom')");
        assertEquals(ErrorKind.LIMIT, r.cleanupError().kind());
        assertTrue(r.cleanupError().message(), r.cleanupError().message().startsWith("on_stop: memory limit of 4.0 MB exceeded"));
    }

    @Test
    public void anInterruptedRunsHookStillGetsItsCallsThroughAndTheInterruptIsKept() throws Exception {
        scripts.withLibrary("interrupt", Map.of("interrupt_me", (scope, args) -> {
            Thread.currentThread().interrupt();
            throw new ScriptCallException(ErrorKind.RUNTIME, "interrupted");
        }));
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> {
            ExecutionResult r = scripts.run("on_stop(function() sleep(1) set('hook') end)\ninterrupt_me()");
            stillInterrupted.complete(Thread.interrupted());
            return r;
        });
        ExecutionResult r = run.get(10, TimeUnit.SECONDS);
        assertNull(String.valueOf(r.cleanupError()), r.cleanupError());
        assertEquals(List.of("set hook", "end error"), device);
        assertTrue(stillInterrupted.get());
    }
}
