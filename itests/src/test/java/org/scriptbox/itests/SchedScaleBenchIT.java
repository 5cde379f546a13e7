package org.scriptbox.itests;

import static org.junit.Assume.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduledScript;
import org.scriptbox.api.schedule.ScriptScheduler;

/**
 * Scale benchmark (prints numbers; runs only with {@code -Dscriptbox.bench=true}): 1,000 scripts
 * deployed in the real container, each on an interval schedule (10 s by default, starts staggered over
 * the first interval: 100 runs a second), running through the real manager (bound 10, queue 100) and engine. Each run calls
 * {@code bench_mark()}, which records when it started; jitter is how far the time between two runs of
 * the same script is from the interval (end to end: timer, manager queue, engine start-up). Also
 * reported: runs missed, runs the scheduler skipped, heap and threads.
 *
 * <pre>mvn -B -o -pl itests -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=SchedScaleBenchIT -Dscriptbox.bench=true [-Dscriptbox.bench.seconds=60] [-Dscriptbox.bench.statsFlushMs=0]</pre>
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SchedScaleBenchIT {
    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    @Inject
    private ScriptScheduler scheduler;

    /** {@code -Dscriptbox.bench.statsFlushMs=0} runs with statistics written after every run (the old behaviour). */
    @Configuration
    public Option[] config() throws java.io.IOException {
        java.nio.file.Path etc = Distribution.freshFolder("etc");
        String flush = System.getProperty("scriptbox.bench.statsFlushMs");
        if (flush != null) {
            java.nio.file.Files.writeString(etc.resolve("org.scriptbox.manager.cfg"), "stats.flush.ms = " + flush + "\n");
        }
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    @Test
    public void thousandScriptsOnIntervalSchedules() throws Exception {
        assumeTrue("benchmark: run with -Dscriptbox.bench=true", Boolean.getBoolean("scriptbox.bench"));
        int scripts = Integer.getInteger("scriptbox.bench.scripts", 1000);
        int seconds = Integer.getInteger("scriptbox.bench.seconds", 60);
        Duration every = Duration.ofMillis(Long.getLong("scriptbox.bench.intervalMs", 10_000));
        long everyNanos = every.toNanos();

        Map<String, Long> lastStart = new ConcurrentHashMap<>();
        Map<String, AtomicLong> runs = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Long> jitterMicros = new ConcurrentLinkedQueue<>();
        ScriptFunction mark = (scope, args) -> {
            long now = System.nanoTime();
            Long previous = lastStart.put(scope.scriptName(), now);
            runs.computeIfAbsent(scope.scriptName(), k -> new AtomicLong()).incrementAndGet();
            if (previous != null) {
                jitterMicros.add(Math.abs(now - previous - everyNanos) / 1000);
            }
            return null;
        };
        ServiceRegistration<ScriptLibrary> lib = TestLibraries.register(context, "sched-bench", Map.of("bench_mark", mark));

        // Calibration: what one execution costs end to end when nothing else runs (sequential).
        String source = "bench_mark()\nlocal x = 0\nfor i = 1, 100 do x = x + i end\nreturn x\n";
        manager.deploy(new ScriptDefinition(new ScriptMetadata("calib", "1.0.0", null, null, null, null, null, List.of(),
                null, null, null, null), source, "bench"), false);
        for (int i = 0; i < 200; i++) {
            manager.execute("calib", List.of()).getValue();
        }
        long calibStart = System.nanoTime();
        int calibRuns = 1000;
        long engineNanos = 0;
        for (int i = 0; i < calibRuns; i++) {
            engineNanos += manager.execute("calib", List.of()).getValue().duration().toNanos();
        }
        double perRunMicros = (System.nanoTime() - calibStart) / 1000.0 / calibRuns;
        double engineMicros = engineNanos / 1000.0 / calibRuns;
        manager.undeploy("calib");
        lastStart.clear();
        runs.clear();

        System.gc();
        long heapBefore = usedHeap();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long deployStart = System.nanoTime();
        for (int i = 0; i < scripts; i++) {
            Duration stagger = Duration.ofNanos(everyNanos * i / scripts);
            ScheduleSpec spec = new ScheduleSpec(ScheduleSpec.Kind.INTERVAL, null, stagger.plus(every), every, null,
                    null, null, null);
            ScriptMetadata md = new ScriptMetadata("bench" + i, "1.0.0", null, null, null, null, null, List.of(),
                    null, null, null, spec);
            manager.deploy(new ScriptDefinition(md, source, "bench"), false);
        }
        long deployEnd = System.nanoTime();
        long deployMillis = (deployEnd - deployStart) / 1_000_000;
        Await.until("every schedule armed", Duration.ofSeconds(60), () -> scheduler.list().size() >= scripts);
        long measureStart = System.nanoTime();
        jitterMicros.clear();
        int threadsPeak = 0;
        long heapPeak = 0;
        long end = measureStart + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < end) {
            threadsPeak = Math.max(threadsPeak, ManagementFactory.getThreadMXBean().getThreadCount());
            heapPeak = Math.max(heapPeak, usedHeap());
            Thread.sleep(250);   // sampling only; nothing waits on this for correctness
        }
        List<ScheduledScript> all = scheduler.list();
        long measured = (System.nanoTime() - measureStart) / 1_000_000;
        long skipped = all.stream().filter(s -> s.scriptName().startsWith("bench")).mapToLong(ScheduledScript::skipped).sum();
        long totalRuns = runs.values().stream().mapToLong(AtomicLong::get).sum();
        long fewest = runs.size() < scripts ? 0 : runs.values().stream().mapToLong(AtomicLong::get).min().orElse(0);
        // the last script's first run is due 2 intervals after its deploy; every script is due at least this often
        long expected = (System.nanoTime() - deployEnd - 2 * everyNanos) / everyNanos + 1;
        long[] j = jitterMicros.stream().mapToLong(Long::longValue).sorted().toArray();
        for (int i = 0; i < scripts; i++) {
            manager.undeploy("bench" + i);
        }
        lib.unregister();
        System.gc();
        long heapAfter = usedHeap();

        String report = String.format(
                "SchedScaleBenchIT: %d scripts, interval %d ms, measured %d ms, %d cores, Java %s, load average %.1f -> %.1f%n"
                        + "one execution end to end, sequential: %.0f us, of which the engine's run %.0f us"
                        + " (capacity about %.0f runs/s per core)%n"
                        + "deploy of %d scripts: %d ms; runs: %d (script with fewest: %d, at least %d due each), scheduler-skipped: %d%n"
                        + "period jitter |start-to-start - interval| over %d pairs: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
                        + " max %.2f ms%n"
                        + "heap: %d MiB before deploy, peak %d MiB while running, %d MiB after undeploy (after GC)%n"
                        + "threads: %d before, peak %d while running%n",
                scripts, every.toMillis(), measured, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadBefore, ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage(), perRunMicros, engineMicros, 1_000_000 / perRunMicros, scripts, deployMillis, totalRuns, fewest, expected, skipped, j.length,
                pct(j, 0.5), pct(j, 0.99), pct(j, 0.999), j.length == 0 ? 0 : j[j.length - 1] / 1000.0,
                heapBefore >> 20, heapPeak >> 20, heapAfter >> 20, threadsBefore, threadsPeak);
        System.out.print(report);
        Path out = Paths.get("target", "sched-bench-it.txt");
        Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1000.0;
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
