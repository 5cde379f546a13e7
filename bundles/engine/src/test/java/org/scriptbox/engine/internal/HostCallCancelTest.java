package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ScriptCallException;
import org.scriptbox.api.engine.ScriptFunction;

/**
 * A cancel cannot be caught, whatever the host function does when it comes (returns, throws a script
 * error, throws anything), and no host call is made after it: the engine's host-call path refuses it.
 */
public class HostCallCancelTest {
    private final Scripts scripts = new Scripts();
    /** The host calls that reached the "driver". */
    private final List<String> driver = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch waiting = new CountDownLatch(1);

    public HostCallCancelTest() {
        scripts.withInstructions(Long.MAX_VALUE / 2);
        ScriptFunction set = (scope, args) -> {
            driver.add("set " + args[0]);
            return true;
        };
        scripts.withLibrary("devices", Map.of(
                "set", set,
                "wait_then_fail", (scope, args) -> {
                    awaitCancel(scope.cancellation());
                    throw new ScriptCallException(ErrorKind.DEVICE, "device call aborted");
                },
                "wait_then_succeed", (scope, args) -> {
                    awaitCancel(scope.cancellation());
                    return "done anyway";
                },
                "wait_then_break", (scope, args) -> {
                    awaitCancel(scope.cancellation());
                    throw new IllegalStateException("driver bug");
                },
                "host_says_cancelled", (scope, args) -> {
                    throw new ScriptCallException(ErrorKind.CANCELLED, "the device went away");
                }));
    }

    private void awaitCancel(org.scriptbox.api.engine.Cancellation c) {
        waiting.countDown();
        try {
            c.await(TimeUnit.SECONDS.toNanos(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ExecutionResult runAndCancel(String source) throws Exception {
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> scripts.run(source));
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        scripts.cancellation.cancel("shell");
        return run.get(5, TimeUnit.SECONDS);
    }

    private void assertCancelledAndNothingAfter(ExecutionResult r) {
        assertEquals(r.error() + "", ScriptStatus.CANCELLED, r.status());
        assertEquals(ErrorKind.CANCELLED, r.error().kind());
        assertEquals(List.of("set before"), driver);
    }

    /** The observed attack: device calls wrapped in pcall carried on after script:cancel. */
    private static String attack(String call) {
        return "set('before')\nfor i = 1, 100 do\n  local ok, err = pcall(" + call + ")\n  pcall(set, 'motor ' .. i)\nend\n"
                + "return 'completed'";
    }

    @Test
    public void aCallThatFailsWithAScriptErrorAfterTheCancelEndsTheRunUncatchably() throws Exception {
        ExecutionResult r = runAndCancel(attack("wait_then_fail"));
        assertCancelledAndNothingAfter(r);
        assertEquals(3, r.error().line());
    }

    @Test
    public void aCallThatReturnsNormallyAfterTheCancelEndsTheRun() throws Exception {
        assertCancelledAndNothingAfter(runAndCancel(attack("wait_then_succeed")));
    }

    @Test
    public void aCallThatThrowsAnythingAfterTheCancelEndsTheRun() throws Exception {
        assertCancelledAndNothingAfter(runAndCancel(attack("wait_then_break")));
    }

    @Test
    public void xpcallAndCoroutinesCannotCatchItEither() throws Exception {
        assertCancelledAndNothingAfter(runAndCancel("set('before')\n"
                + "local co = coroutine.wrap(function() xpcall(wait_then_fail, function(m) return m end) set('in co') end)\n"
                + "pcall(co)\nset('after')"));
    }

    @Test
    public void aHostThatSaysCancelledIsAsUncatchableAsACancel() {
        ExecutionResult r = scripts.run("set('before')\npcall(host_says_cancelled)\nset('after')");
        assertCancelledAndNothingAfter(r);
        assertTrue(r.error().message(), r.error().message().contains("the device went away"));
    }

    @Test
    public void noHostCallRunsOnceTheBudgetIsTripped() {
        // The limit breaks inside a coroutine, whose resume returns false; the very next call must not reach the driver.
        scripts.withInstructions(20_000);
        ExecutionResult r = scripts.run("set('before')\n"
                + "local ok = coroutine.resume(coroutine.create(function() while true do end end))\nset('after')");
        assertEquals(ErrorKind.LIMIT, r.error().kind());
        assertEquals(List.of("set before"), driver);
    }

    @Test
    public void aCancelRaisedBeforeTheCallRefusesIt() {
        scripts.cancellation.cancel("undeploy");
        ExecutionResult r = scripts.run("pcall(set, 'x')");
        assertEquals(ScriptStatus.CANCELLED, r.status());
        assertTrue(driver.isEmpty());
    }

    @Test
    public void aLibraryBugReachesTheScriptWithoutJavaText() {
        scripts.withLibrary("buggy", Map.of("buggy", (scope, args) -> {
            throw new IllegalStateException("secret internals at com.example.Foo");
        }));
        ExecutionResult r = scripts.run("local ok, err = pcall(buggy)\nreturn err");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        String err = (String) r.values().get(0);
        assertTrue(err, err.contains("buggy failed"));
        assertTrue(err, !err.contains("IllegalStateException") && !err.contains("secret"));
    }
}
