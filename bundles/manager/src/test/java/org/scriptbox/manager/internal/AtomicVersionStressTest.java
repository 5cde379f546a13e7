package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;

/**
 * Deploys and runs race each other: every run must use one version's code, metadata (limits) and
 * resolution together. Versions alternate between one that may run (its code reports the limit it was
 * written for) and one that waits for a device that never comes, so its code must never run.
 */
public class AtomicVersionStressTest {
    private static final int DEPLOYS = 600;
    private static final long BASE_LIMIT = 10_000; // below the seed's cap on max_instructions

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private ScriptManagerImpl manager;

    @Before
    public void setUp() {
        manager = new ScriptManagerImpl();
        manager.engine = new FakeEngine();
        manager.codec = new TomlMetadataCodec();
        manager.start(tmp.getRoot().toPath().resolve("stats"), ScriptManagerImplTest.config(4, 10_000));
        // other scripts make each resolution take a little while, as in a real container
        for (int i = 0; i < 150; i++) {
            manager.deploy(new ScriptDefinition(ScriptMetadata.defaults("filler" + i), "return " + i, "f" + i), false);
        }
    }

    @After
    public void tearDown() {
        manager.deactivate();
    }

    private static ScriptDefinition version(int k) {
        boolean runnable = k % 2 == 0;
        ResourceLimits d = ResourceLimits.DEFAULTS;
        ResourceLimits limits = new ResourceLimits(d.maxExecutionTime(), d.maxMemoryBytes(), BASE_LIMIT + k,
                d.maxStringLength(), d.maxTableSize(), d.maxCallDepth(), d.maxCoroutines());
        ScriptMetadata m = new ScriptMetadata("motor", "1.0." + k, null, null, null, null, null, List.of(), List.of(),
                null, limits, null, runnable ? List.of() : List.of("never-present"));
        return new ScriptDefinition(m, runnable ? "limits " + k : "return must-never-run-" + k, "motor.lua");
    }

    @Test
    public void everyRunUsesOneVersionsCodeMetadataAndResolution() throws Exception {
        manager.deploy(version(0), false);
        AtomicBoolean deploying = new AtomicBoolean(true);
        Queue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicInteger completed = new AtomicInteger();
        List<Thread> runners = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread runner = new Thread(() -> {
                while (deploying.get()) {
                    try {
                        ExecutionResult r = manager.execute("motor", List.of()).getValue();
                        check(r, violations, completed);
                    } catch (java.lang.reflect.InvocationTargetException refused) {
                        // unresolved at that moment, or busy: refusing is right
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "runner-" + t);
            runner.start();
            runners.add(runner);
        }
        for (int k = 1; k <= DEPLOYS; k++) {
            manager.deploy(version(k), false);
        }
        deploying.set(false);
        for (Thread runner : runners) {
            runner.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertEquals("runs that mixed versions, e.g. " + violations.stream().limit(5).toList(), 0, violations.size());
        assertTrue("the runs never overlapped the deploys", completed.get() > 0);
    }

    private static void check(ExecutionResult r, Queue<String> violations, AtomicInteger completed) {
        if (r.status() != ScriptStatus.COMPLETED) {
            return; // cancelled by the next deploy
        }
        completed.incrementAndGet();
        List<Object> v = r.values();
        String mark = String.valueOf(v.get(0));
        if (mark.startsWith("must-never-run")) {
            violations.add("ran the code of an unresolved version: " + mark);
        } else if (v.size() != 2 || Long.parseLong(String.valueOf(v.get(1))) != BASE_LIMIT + Long.parseLong(mark)) {
            violations.add("code of version " + mark + " ran with the limit of another: " + v);
        }
    }
}
