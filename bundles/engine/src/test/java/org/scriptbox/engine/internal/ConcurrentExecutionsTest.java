package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.engine.CompiledScript;

/** One compiled script run on many threads at once: each run sees only its own globals and arguments. */
public class ConcurrentExecutionsTest {
    private final Scripts scripts = new Scripts().withInstructions(10_000_000);

    @Test
    public void parallelRunsAreIsolated() throws Exception {
        CompiledScript s = scripts.engine.compile("iso.lua", "local n = ...\nshared = (shared or 0) + n\n"
                + "string.mine = n\nlocal co = coroutine.wrap(function() for i = 1, 100 do coroutine.yield(i) end end)\n"
                + "local sum = 0 for i = 1, 100 do sum = sum + co() end\n"
                + "local parts = {} for i = 1, 200 do parts[i] = tostring(n) end\n"
                + "return shared, string.mine, sum, #table.concat(parts), ('x'):rep(3)");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ExecutionResult>> runs = new ArrayList<>();
            for (int i = 1; i <= 64; i++) {
                final int n = i;
                runs.add(pool.submit(() -> scripts.engine.execute(s, scripts.request((double) n))));
            }
            for (int i = 1; i <= 64; i++) {
                ExecutionResult r = runs.get(i - 1).get(30, TimeUnit.SECONDS);
                assertEquals(r.error() + "", List.of((double) i, (double) i, 5050.0,
                        (double) (200 * String.valueOf(i).length()), "xxx"), r.values());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
