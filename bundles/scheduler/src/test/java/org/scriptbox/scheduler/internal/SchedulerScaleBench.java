package org.scriptbox.scheduler.internal;

import static org.junit.Assume.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.PromiseFactory;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.schedule.MisfirePolicy;
import org.scriptbox.api.schedule.OverlapPolicy;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduledScript;

/**
 * Scale benchmark of the scheduler itself (not a test: it prints numbers). 1,000 scripts on interval
 * schedules with staggered starts, fired through the real {@link ExecutorTimer} into a stand-in manager
 * that runs each execution on a pool of 10 workers (the manager's default bound) for about a millisecond
 * of CPU. Reports fire-time jitter (actual minus due), runs missed, heap and threads.
 *
 * <pre>mvn -B -o -pl bundles/scheduler -am verify -Dscriptbox.bench=true -Dtest=SchedulerScaleBench \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Dscriptbox.bench.seconds=60 -Dscriptbox.bench.scripts=1000]</pre>
 * Results go to target/sched-bench.txt (and the surefire output file).
 */
public class SchedulerScaleBench {

    @Test
    public void thousandIntervalScripts() throws Exception {
        assumeTrue("benchmark: run with -Dscriptbox.bench=true", Boolean.getBoolean("scriptbox.bench"));
        int scripts = Integer.getInteger("scriptbox.bench.scripts", 1000);
        int seconds = Integer.getInteger("scriptbox.bench.seconds", 60);
        Duration every = Duration.ofMillis(Long.getLong("scriptbox.bench.intervalMs", 1000));
        long workNanos = Long.getLong("scriptbox.bench.workMicros", 1000) * 1000;
        // PARALLEL by default, so that "skipped" counts only fires coalesced because the timer was late
        OverlapPolicy overlap = OverlapPolicy.valueOf(System.getProperty("scriptbox.bench.overlap", "PARALLEL"));
        // RUN_ONCE: every fire is written and forced to disk before its run starts (group commit)
        MisfirePolicy misfire = MisfirePolicy.valueOf(System.getProperty("scriptbox.bench.misfire", "SKIP"));
        java.util.Map<String, Instant> dueOf = new java.util.concurrent.ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Long> launchMicros = new ConcurrentLinkedQueue<>();
        AtomicLong diskWrites = new AtomicLong();
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        System.gc();
        long heapBefore = usedHeap();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

        ExecutorService workers = Executors.newFixedThreadPool(10);
        Semaphore slots = new Semaphore(10);
        PromiseFactory promises = new PromiseFactory(PromiseFactory.inlineExecutor());
        AtomicLong busyRejects = new AtomicLong();
        FakeManager manager = new FakeManager() {
            @Override
            public Promise<ExecutionResult> execute(String name, List<Object> args) {
                Instant due = dueOf.get(name);
                if (due != null) {
                    launchMicros.add(Duration.between(due, Instant.now()).toNanos() / 1000);
                }
                Deferred<ExecutionResult> d = promises.deferred();
                if (!slots.tryAcquire()) {
                    busyRejects.incrementAndGet();
                }
                workers.execute(() -> {
                    long end = System.nanoTime() + workNanos;   // CPU work standing in for a script
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    slots.release();
                    d.resolve(new ExecutionResult(name, "b", ScriptStatus.COMPLETED, List.of(), null, Instant.now(),
                            Duration.ofMillis(1), 0, 0, Duration.ofMillis(1), 0));
                });
                return d.getPromise();
            }
        };
        Clock clock = Clock.systemUTC();
        ExecutorTimer timer = new ExecutorTimer(clock, 1);
        Path storeDir = Files.createTempDirectory(Paths.get("target").toAbsolutePath(), "bench-store");
        ExecutorService saves = Executors.newSingleThreadExecutor();
        FireTimeStore store = misfire == MisfirePolicy.RUN_ONCE
                ? new FireTimeStore(storeDir.resolve("fire-times.properties"), (f, e, c) -> {
                    diskWrites.incrementAndGet();
                    PropertiesFile.write(f, e, c);
                }, saves)
                : new FireTimeStore(null);
        SchedulerCore core = new SchedulerCore(clock, timer, manager, store, new HandSchedules(null));
        ConcurrentLinkedQueue<Long> jitterMicros = new ConcurrentLinkedQueue<>();
        Instant measureFrom = clock.instant().plus(every);   // after every script has been armed and fired once
        ConcurrentLinkedQueue<long[]> lateFires = new ConcurrentLinkedQueue<>();   // [due ms since start, late ms]
        Instant benchStart = clock.instant();
        core.observeFires((s, due, actual) -> {
            dueOf.put(s, due);
            long late = Duration.between(due, actual).toNanos() / 1000;
            if (!due.isBefore(measureFrom)) {
                jitterMicros.add(late);
            }
            if (late > 100_000) {
                lateFires.add(new long[] {Duration.between(benchStart, due).toMillis(), late / 1000});
            }
        });
        for (int i = 0; i < scripts; i++) {
            Duration stagger = Duration.ofNanos(every.toNanos() * i / scripts);
            core.schedule("s" + i, new ScheduleSpec(ScheduleSpec.Kind.INTERVAL, null, stagger, every, null, null,
                    overlap, misfire));
        }
        Instant started = clock.instant();
        int threadsPeak = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            threadsPeak = Math.max(threadsPeak, ManagementFactory.getThreadMXBean().getThreadCount());
            Thread.sleep(200);   // the harness samples; nothing waits on this for correctness
        }
        Instant stopped = clock.instant();
        List<ScheduledScript> all = core.list();
        core.close();
        timer.shutdown();
        saves.shutdown();
        workers.shutdown();
        workers.awaitTermination(10, TimeUnit.SECONDS);
        long heapDuring = usedHeap();

        long fired = all.stream().mapToLong(ScheduledScript::fireCount).sum();
        long skipped = all.stream().mapToLong(ScheduledScript::skipped).sum();
        long expected = 0;
        for (ScheduledScript s : all) {
            // fires due in [started, stopped]: first at started + stagger (already in the spec), then every period
            Instant first = started.plus(s.spec().delay());
            if (!first.isAfter(stopped)) {
                expected += Duration.between(first, stopped).toNanos() / every.toNanos() + 1;
            }
        }
        long[] j = jitterMicros.stream().mapToLong(Long::longValue).sorted().toArray();
        String report = String.format(
                "scheduler scale bench: %d scripts, every %d ms, overlap %s, %d us of CPU per run, %d s, %d cores, Java %s,"
                        + " system load average %.1f before, %.1f after%n"
                        + "fires: %d (expected about %d), skipped (timer late by a whole period, or overlap): %d,"
                        + " runs beyond 10 at once: %d%n"
                        + "jitter (actual - due) over %d fires: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n"
                        + "heap used: %d MiB before, %d MiB at the end (after GC: %d MiB)%n"
                        + "threads: %d before, peak %d during (timer 1 + workers 10)%n",
                scripts, every.toMillis(), overlap, workNanos / 1000, seconds, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadBefore,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), fired, expected, skipped, busyRejects.get(),
                j.length, pct(j, 0.50), pct(j, 0.99), pct(j, 0.999), j.length == 0 ? 0 : j[j.length - 1] / 1000.0,
                heapBefore >> 20, heapDuring >> 20, gcHeap() >> 20, threadsBefore, threadsPeak);
        StringBuilder late = new StringBuilder();
        lateFires.stream().map(a -> a[0] / 1000).distinct().sorted().limit(20)
                .forEach(sec -> late.append(' ').append(sec).append('s'));
        report += "fires over 100 ms late: " + lateFires.size() + (lateFires.isEmpty() ? "" : ", due in seconds" + late)
                + System.lineSeparator();
        long[] l = launchMicros.stream().mapToLong(Long::longValue).sorted().toArray();
        report += String.format("misfire %s: due to handed to the manager p50 %.2f ms, p99 %.2f ms, max %.2f ms;"
                        + " fire-time file writes (each forced) %d%n", misfire, pct(l, 0.50), pct(l, 0.99),
                l.length == 0 ? 0 : l[l.length - 1] / 1000.0, diskWrites.get());
        System.out.print(report);
        Path out = Paths.get("target", "sched-bench.txt");
        Files.writeString(out, report, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1000.0;
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long gcHeap() {
        System.gc();
        return usedHeap();
    }

}
