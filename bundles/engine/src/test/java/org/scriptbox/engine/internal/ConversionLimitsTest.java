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

/**
 * The memory limit holds while values cross from Lua to Java (results, host-function arguments): charged in
 * bytes, a shared reference counted each time it is reached, stopped at once by a cancel.
 */
public class ConversionLimitsTest {
    private static final long MB = 1L << 20;
    /** 100 references to one table of 1,000 references to one 10,000-character string: ~2 GB as Java values. */
    private static final String SHARED = "local s = string.rep('x', 10000)\nlocal t = {}\nfor i = 1, 1000 do t[i] = s end\n"
            + "local u = {}\nfor i = 1, 100 do u[i] = t end\n";

    private final Scripts scripts = new Scripts();
    private final List<Integer> received = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch started = new CountDownLatch(1);

    public ConversionLimitsTest() {
        scripts.withLibrary("devices", Map.of(
                "log_info", (scope, args) -> {
                    received.add(args.length);
                    return null;
                },
                "started", (scope, args) -> {
                    started.countDown();
                    return null;
                }));
    }

    /** A conversion stops within 1 MB of the limit (measured: within 64 KB). */
    private static void assertMemoryLimit(ExecutionResult r, long limit) {
        assertMemoryLimit(r, limit, MB);
    }

    private static void assertMemoryLimit(ExecutionResult r, long limit, long slack) {
        assertEquals(r.error() + "", ScriptStatus.FAILED, r.status());
        assertEquals(ErrorKind.LIMIT, r.error().kind());
        assertTrue(r.error().message(), r.error().message().startsWith("memory limit of " + Sizes.readable(limit) + " exceeded"));
        assertTrue("allocated " + r.allocatedBytes() + " bytes under a limit of " + limit,
                r.allocatedBytes() < limit + slack);
    }

    @Test
    public void aResultThatRepeatsOneTableIsChargedForEveryCopy() {
        scripts.withMemory(50 * MB);
        ExecutionResult r = scripts.run(SHARED + "return u");
        assertMemoryLimit(r, 50 * MB);
    }

    @Test
    public void hostFunctionArgumentsAreChargedAndTheCallIsNotMade() {
        scripts.withMemory(50 * MB);
        ExecutionResult r = scripts.run(SHARED + "pcall(log_info, 'big', u)\nlog_info('after')");
        assertMemoryLimit(r, 50 * MB);
        assertEquals(6, r.error().line());
        assertTrue(received.isEmpty());
    }

    @Test
    public void manyArgumentsShareOneAccount() {
        scripts.withMemory(50 * MB);
        StringBuilder args = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            args.append(i == 0 ? "" : ", ").append('t');
        }
        ExecutionResult r = scripts.run(SHARED + "log_info(" + args + ")");
        assertMemoryLimit(r, 50 * MB);
        assertTrue(received.isEmpty());
    }

    @Test
    public void whatTheRunAlreadyAllocatedCountsToo() {
        scripts.withMemory(20 * MB).withInstructions(10_000_000); // the rep and .. work is charged since the library-CPU work
        // ~12 MB allocated by the script itself, then a ~10 MB result: together over the limit.
        ExecutionResult r = scripts.run("local keep = {}\nfor i = 1, 600 do keep[i % 100 + 1] = string.rep('y', 9000) .. i end\n"
                + "local s = string.rep('x', 10000)\nlocal t = {}\nfor i = 1, 500 do t[i] = s end\nreturn t");
        assertMemoryLimit(r, 20 * MB, 20 * MB); // the script's own allocation is checked every ~4,096 instructions
    }

    @Test
    public void ordinaryValuesStillConvert() {
        scripts.withMemory(50 * MB);
        ExecutionResult r = scripts.run("local t = {}\nfor i = 1, 1000 do t[i] = string.rep('a', 100) end\n"
                + "log_info('rows', t)\nreturn t, {a = 1, b = {true, 'x'}}");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(1000, ((List<?>) r.values().get(0)).size());
        assertEquals(List.of(2), received);
    }

    @Test
    public void aCancelStopsAConversionAtOnce() throws Exception {
        scripts.withMemory(8L << 30); // the memory limit alone would let it build ~2 GB
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> scripts.run(SHARED
                + "started()\nreturn u, u, u, u, u, u, u, u"));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        scripts.cancellation.cancel("script undeployed");
        ExecutionResult r = run.get(10, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(r.error() + "", ScriptStatus.CANCELLED, r.status());
        assertTrue("stopped " + ms + " ms after the cancel", ms < 1_000);
        assertTrue("allocated " + r.allocatedBytes(), r.allocatedBytes() < 1024 * MB);
    }
}
