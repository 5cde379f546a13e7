package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ExecutionEnd;
import org.scriptbox.api.engine.ExecutionScope;
import org.scriptbox.api.engine.ScriptFunction;

/** {@code ExecutionScope.onEnd}: told once, on every path, after the run; registered once per execution. */
public class ExecutionEndTest {
    private final Scripts scripts = new Scripts();
    private final List<ExecutionEnd> ends = Collections.synchronizedList(new ArrayList<>());
    /** One long-lived listener, as a library would keep it. */
    private final Consumer<ExecutionEnd> listener = ends::add;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile ExecutionScope keptScope;

    public ExecutionEndTest() {
        ScriptFunction touch = (scope, args) -> {
            scope.onEnd(listener);
            keptScope = scope;
            started.countDown();
            return null;
        };
        ScriptFunction sleep = (scope, args) -> {
            scope.sleep(TimeUnit.MILLISECONDS.toNanos(((Double) args[0]).longValue()));
            return null;
        };
        ScriptFunction boom = (scope, args) -> {
            scope.onEnd(end -> {
                throw new IllegalStateException("listener bug");
            });
            return null;
        };
        scripts.withLibrary("test", Map.of("touch", touch, "sleep", sleep, "boom", boom));
    }

    private ExecutionEnd onlyEnd(ExecutionResult r) {
        assertEquals(1, ends.size());
        ExecutionEnd end = ends.get(0);
        assertEquals(r.executionId(), end.executionId());
        assertEquals("test", end.scriptName());
        assertEquals(r.status(), end.status());
        return end;
    }

    @Test
    public void aCompletedRunIsToldOnceThoughTheListenerWasRegisteredOnEveryCall() {
        ExecutionResult r = scripts.run("for i = 1, 1000 do touch() end return 1");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        ExecutionEnd end = onlyEnd(r);
        assertFalse(end.abnormal());
        assertEquals(ExecutionEnd.COMPLETED, end.reason());
    }

    @Test
    public void aRuntimeErrorIsAnAbnormalEnd() {
        ExecutionResult r = scripts.run("touch()\nerror('broken')");
        ExecutionEnd end = onlyEnd(r);
        assertTrue(end.abnormal());
        assertEquals(ExecutionEnd.ERROR, end.reason());
        assertTrue(end.detail(), end.detail().contains("broken"));
    }

    @Test
    public void aBrokenLimitIsALimitEnd() {
        scripts.withInstructions(10_000);
        ExecutionResult r = scripts.run("touch() while true do end");
        assertEquals(ExecutionEnd.LIMIT, onlyEnd(r).reason());
    }

    @Test
    public void theDeadlineIsATimeoutEnd() {
        scripts.withTime(Duration.ofMillis(200));
        ExecutionResult r = scripts.run("touch() sleep(60000)");
        assertEquals(ScriptStatus.TIMEOUT, r.status());
        assertEquals(ExecutionEnd.TIMEOUT, onlyEnd(r).reason());
    }

    @Test
    public void aCancelIsACancelledEndWithItsReason() throws Exception {
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> scripts.run("touch() sleep(60000)"));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        scripts.cancellation.cancel("script undeployed");
        ExecutionResult r = run.get(5, TimeUnit.SECONDS);
        ExecutionEnd end = onlyEnd(r);
        assertEquals(ExecutionEnd.CANCELLED, end.reason());
        assertTrue(end.detail(), end.detail().contains("script undeployed"));
    }

    @Test
    public void aListenerRegisteredInsideACoroutineIsToldToo() {
        ExecutionResult r = scripts.run("coroutine.wrap(function() touch() end)() error('x')");
        assertEquals(ExecutionEnd.ERROR, onlyEnd(r).reason());
    }

    @Test
    public void aFailingListenerChangesNothingAndTheOthersAreStillTold() {
        ExecutionResult r = scripts.run("boom() touch() return 'fine'");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of("fine"), r.values());
        onlyEnd(r);
    }

    @Test
    public void aListenerRegisteredAfterTheEndIsToldAtOnce() {
        ExecutionResult r = scripts.run("touch()");
        ends.clear();
        List<ExecutionEnd> late = new ArrayList<>();
        keptScope.onEnd(late::add);
        assertEquals(1, late.size());
        assertEquals(r.executionId(), late.get(0).executionId());
        assertTrue(ends.isEmpty());
    }
}
