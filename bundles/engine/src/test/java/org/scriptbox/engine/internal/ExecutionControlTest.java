package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ScriptFunction;

/** Deadline, cancel and sleep seen from outside; stats; require's corner cases. */
public class ExecutionControlTest {
    private final Scripts scripts = new Scripts();
    private final CountDownLatch started = new CountDownLatch(1);

    private Scripts withStartedAndSleep() {
        ScriptFunction start = (scope, args) -> {
            started.countDown();
            return null;
        };
        ScriptFunction sleep = (scope, args) -> {
            started.countDown();
            scope.sleep(TimeUnit.MILLISECONDS.toNanos(((Double) args[0]).longValue()));
            return null;
        };
        return scripts.withLibrary("control", Map.of("started", start, "sleep", sleep));
    }

    private CompletableFuture<ExecutionResult> runAsync(String source) {
        return CompletableFuture.supplyAsync(() -> scripts.run(source));
    }

    @Test
    public void cancelStopsALoopInsideACoroutineAndItsThreadEnds() throws Exception {
        withStartedAndSleep().withInstructions(Long.MAX_VALUE / 2);
        CompletableFuture<ExecutionResult> run = runAsync(
                "local co = coroutine.create(function() started() while true do end end)\ncoroutine.resume(co)\n"
                        + "while true do end");
        assertTrue(started.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        scripts.cancellation.cancel("undeploy");
        ExecutionResult r = run.get(5, TimeUnit.SECONDS);
        assertEquals(ScriptStatus.CANCELLED, r.status());
        assertEquals(ErrorKind.CANCELLED, r.error().kind());
        assertTrue("stopped within 1 s of the cancel", System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("Coroutine-")).noneMatch(Thread::isAlive));
    }

    @Test
    public void sleepEndsAtOnceOnCancelAndCannotBeCaught() throws Exception {
        withStartedAndSleep();
        CompletableFuture<ExecutionResult> run = runAsync("local x = 1\nlocal ok = pcall(sleep, 60000)\nreturn 'survived'");
        assertTrue(started.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        scripts.cancellation.cancel("shell");
        ExecutionResult r = run.get(5, TimeUnit.SECONDS);
        assertEquals(ScriptStatus.CANCELLED, r.status());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
        assertEquals(2, r.error().line());
    }

    @Test
    public void sleepEndsAtTheDeadline() {
        withStartedAndSleep().withTime(Duration.ofMillis(300));
        ExecutionResult r = scripts.run("sleep(60000)");
        assertEquals(ScriptStatus.TIMEOUT, r.status());
        assertTrue(r.duration().toString(), r.duration().toMillis() >= 300 && r.duration().toMillis() < 1300);
    }

    @Test
    public void limitErrorsNameTheLimitValueAndPositionWithTraceback() {
        ExecutionResult r = scripts.withInstructions(20_000).run(
                "local function spin()\n  while true do end\nend\nlocal function outer()\n  spin()\nend\nouter()\n");
        assertEquals(ErrorKind.LIMIT, r.error().kind());
        assertEquals("instruction limit of 20000 exceeded", r.error().message());
        assertEquals("test.lua", r.error().file());
        assertEquals(2, r.error().line());
        assertTrue(r.error().traceback(), r.error().traceback().contains("test.lua:5: in function <test.lua:4>"));
        assertTrue(r.error().traceback(), r.error().traceback().contains("test.lua:7: in main chunk"));
        assertTrue(r.error().toString().startsWith("test.lua:2: instruction limit"));
    }

    @Test
    public void statsAreReported() {
        ExecutionResult r = scripts.run("local s = 0 for i = 1, 100000 do s = s + i end return s");
        assertEquals(List.of(5000050000.0), r.values());
        assertTrue(r.instructions() >= 200_000 && r.instructions() < 210_000);
        assertTrue(r.cpuTime().toNanos() > 0);
        assertTrue(r.duration().toNanos() > 0);
        assertTrue(r.startedAt() != null);
    }

    @Test
    public void requireLoopsAndModuleErrorsAreReported() {
        CompiledScript a = scripts.engine.compile("a.lua", "return require('b')");
        CompiledScript b = scripts.engine.compile("b.lua", "return require('a')");
        CompiledScript bad = scripts.engine.compile("bad.lua", "local x = nil\nreturn x.y");
        scripts.modules = name -> Optional.ofNullable(Map.of("a", a, "b", b, "bad", bad).get(name));
        ExecutionResult loop = scripts.run("return require('a')");
        assertEquals(ScriptStatus.FAILED, loop.status());
        assertTrue(loop.error().message(), loop.error().message().contains("loop in require"));
        ExecutionResult err = scripts.run("return require('bad')");
        assertEquals("bad.lua", err.error().file());
        assertEquals(2, err.error().line());
    }

    @Test
    public void modulesShareTheCallersBudget() {
        CompiledScript spin = scripts.engine.compile("spin.lua", "while true do end");
        scripts.modules = name -> Optional.of(spin);
        ExecutionResult r = scripts.withInstructions(30_000).run("require('spin')");
        assertEquals(ErrorKind.LIMIT, r.error().kind());
        assertEquals("spin.lua", r.error().file());
    }
}
