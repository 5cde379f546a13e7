package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.api.schedule.ResourceMonitor;
import org.scriptbox.api.schedule.ResourceSnapshot;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduledScript;
import org.scriptbox.api.schedule.ScriptScheduler;

/**
 * The scheduler in the real container: schedules come from the {@code [schedule]} table of scripts
 * dropped into the watched folder, runs go through the real manager and engine, the concurrency bound
 * holds under a storm, undeploy cancels everything, a scheduler restart re-arms, and the resource
 * monitor's thresholds come from ConfigAdmin. Services are looked up afresh where a test restarts them.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SchedIT {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    /** Executions inside wait_ms now, and the most seen at once. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger mostWaiting = new AtomicInteger();

    @Configuration
    public Option[] config() {
        return new Option[] {ScriptDeployIT.containerWatchingScripts()};
    }

    private static void write(Path file, String content) throws IOException {
        ScriptDeployIT.write(file, content);
    }

    private void awaitStatus(String name, ScriptStatus status) {
        Await.until(name + " " + status, BOUND, () -> manager.get(name),
                i -> i.isPresent() && i.get().status() == status);
    }

    private ExecutionResult run(String name) throws Exception {
        return ScriptDeployIT.result(name, manager.execute(name, List.of()));
    }

    private Path folder() {
        return Paths.get(context.getProperty("scriptbox.deploy"));
    }

    private ScriptScheduler scheduler() {
        return Await.until("the scheduler service", BOUND, () -> service(ScriptScheduler.class), s -> s != null);
    }

    private <T> T service(Class<T> type) {
        return Services.current(context, type);
    }

    private void deploy(String name, String schedule, String lua) throws Exception {
        write(folder().resolve(name + ".toml"), "version = \"1.0.0\"\npermissions = []\n"
                + "[limits]\nmax_execution_time = \"2m\"\n[schedule]\n" + schedule + "\n");
        write(folder().resolve(name + ".lua"), lua);
    }

    private void undeploy(String name) throws Exception {
        Files.deleteIfExists(folder().resolve(name + ".lua"));
        Files.deleteIfExists(folder().resolve(name + ".toml"));
        Await.until(name + " undeployed", BOUND, () -> manager.get(name).isEmpty());
    }

    @Test
    public void intervalFromMetadataRunsTheScriptAndTheShellShowsIt() throws Exception {
        deploy("tick", "kind = \"interval\"\ninterval = \"200ms\"", "return 1\n");
        Await.until("three scheduled runs", BOUND,
                () -> manager.get("tick").map(i -> i.stats().totalExecutions()).orElse(0L), n -> n >= 3);
        ScheduledScript s = scheduler().get("tick").orElseThrow();
        assertEquals(ScheduleSpec.Kind.INTERVAL, s.spec().kind());
        assertTrue(s.toString(), s.fireCount() >= 3 && s.enabled());
        String listing = shell("sched:schedules");
        assertTrue(listing, listing.contains("tick") && listing.contains("every 200ms"));
        undeploy("tick");
        Await.until("the schedule removed with the script", BOUND, () -> scheduler().get("tick").isEmpty());
    }

    @Test
    public void undeployDuringARunCancelsTheRunAndTheSchedule() throws Exception {
        ServiceRegistration<ScriptLibrary> lib = registerWaitLibrary();
        try {
            deploy("slow", "kind = \"interval\"\ninterval = \"300ms\"\noverlap = \"queue\"", "wait_ms(100000)\n");
            Await.until("a scheduled run in progress", BOUND, () -> waiting.get() == 1);
            Await.until("the next run queued behind it", BOUND,
                    () -> scheduler().get("slow").map(ScheduledScript::fireCount).orElse(0L) >= 1);
            undeploy("slow");
            Await.until("the running execution cancelled", BOUND, () -> waiting.get() == 0);
            // the manager tells the scheduler after it has removed the script (events go out after its lock):
            // "undeployed" can be seen a moment before the schedule is gone, so wait for that too
            Await.until("the schedule removed", BOUND, () -> scheduler().get("slow").isEmpty());
            // the queued run must not start after the undeploy
            Instant after = Instant.now().plusMillis(900);
            Await.until("three would-be fire times to pass", BOUND, () -> Instant.now().isAfter(after));
            assertEquals(0, waiting.get());
        } finally {
            lib.unregister();
        }
    }

    @Test
    public void aStormOfTriggersNeverExceedsTheConcurrencyBound() throws Exception {
        ServiceRegistration<ScriptLibrary> lib = registerWaitLibrary();
        int scripts = 20;
        try {
            mostWaiting.set(0);
            for (int i = 0; i < scripts; i++) {
                deploy("storm" + i, "kind = \"interval\"\ninterval = \"100ms\"\noverlap = \"parallel\"", "wait_ms(150)\n");
            }
            Await.until("1,000 triggers", Duration.ofSeconds(60), () -> {
                long triggers = 0;
                for (ScheduledScript s : scheduler().list()) {
                    if (s.scriptName().startsWith("storm")) {
                        triggers += s.fireCount() + s.skipped();
                    }
                }
                return triggers;
            }, n -> n >= 1000);
            long refused = scheduler().list().stream().filter(s -> s.scriptName().startsWith("storm"))
                    .mapToLong(ScheduledScript::skipped).sum();
            int most = mostWaiting.get();
            assertTrue("at most 10 executions at once (the manager's bound), saw " + most, most <= 10);
            assertTrue("runs did overlap, saw " + most, most >= 2);
            System.out.println("storm: most executions at once " + most + ", triggers refused as busy " + refused);
        } finally {
            for (int i = 0; i < scripts; i++) {
                undeploy("storm" + i);
            }
            lib.unregister();
        }
        Await.until("every storm schedule gone", BOUND,
                () -> scheduler().list().stream().noneMatch(s -> s.scriptName().startsWith("storm")));
        Await.until("every storm execution ended", BOUND, () -> waiting.get() == 0);
    }

    @Test
    public void restartingTheSchedulerReArmsSchedulesFromMetadataWithTheirHistory() throws Exception {
        deploy("nightly", "kind = \"cron\"\ncron = \"0 3 * * *\"\nzone = \"UTC\"\nmisfire = \"run_once\"", "return 1\n");
        deploy("hourly", "kind = \"interval\"\ninterval = \"1h\"\ndelay = \"100ms\"", "return 1\n");
        deploy("byhand", "kind = \"manual\"", "return 1\n");
        awaitStatus("byhand", ScriptStatus.COMPILED);
        scheduler().schedule("byhand", ScheduleSpec.interval(Duration.ofHours(2)));
        ScheduledScript fired = Await.until("hourly's first run", BOUND, () -> scheduler().get("hourly"),
                s -> s.isPresent() && s.get().fireCount() == 1).get();
        Await.until("nightly armed", BOUND, () -> scheduler().get("nightly").isPresent());

        Bundle bundle = bundle("org.scriptbox.scheduler");
        bundle.stop();
        assertTrue("no scheduler while stopped", service(ScriptScheduler.class) == null);
        assertTrue("fire times saved in the bundle data area on stop",
                Files.isRegularFile(bundle.getDataFile("fire-times.properties").toPath()));
        bundle.start();

        ScheduledScript nightly = Await.until("nightly re-armed", BOUND,
                () -> Optional.ofNullable(service(ScriptScheduler.class)).flatMap(x -> x.get("nightly")),
                Optional::isPresent).get();
        ZonedDateTime next = nightly.nextFire().atZone(ZoneOffset.UTC);
        assertEquals(3, next.getHour());
        assertEquals(0, next.getMinute());
        ScheduledScript hourly = scheduler().get("hourly").orElseThrow();
        assertEquals("the last fire is remembered across the restart", fired.lastFire(), hourly.lastFire());
        assertEquals("and the cadence kept: nothing was missed", fired.lastFire().plus(Duration.ofHours(1)),
                hourly.nextFire());
        assertEquals("the schedule set by hand came back", Duration.ofHours(2),
                scheduler().get("byhand").orElseThrow().spec().interval());
        assertTrue(scheduler().cancel("byhand"));
        undeploy("nightly");
        undeploy("hourly");
        undeploy("byhand");
    }

    @Test
    public void resourceMonitorIsRealAndItsThresholdsComeFromConfigAdmin() throws Exception {
        ResourceSnapshot r = service(ResourceMonitor.class).snapshot();
        assertTrue(r.toString(), r.heapUsedBytes() > 0 && r.heapMaxBytes() >= r.heapUsedBytes());
        assertTrue(r.toString(), r.liveThreads() > 5 && r.processCpuLoad() <= 1.0);
        assertTrue(shell("sched:resources"), shell("sched:resources").contains("heap"));
        deploy("probe", "kind = \"manual\"", "return 1\n");
        awaitStatus("probe", ScriptStatus.COMPILED);

        Path cfg = Paths.get(context.getProperty("felix.fileinstall.dir")).resolve("org.scriptbox.resources.cfg");
        write(cfg, "max.heap.fraction = 0.0001\n");
        try {
            Await.until("the monitor refusing", BOUND, () -> !service(ResourceMonitor.class).admitsNewExecution());
            Throwable failure = Await.until("the manager refusing new runs", BOUND,
                    () -> failureOf(manager.execute("probe", List.of())), f -> f != null);
            assertTrue("refused as busy: " + failure, failure instanceof ScriptException
                    && ((ScriptException) failure).kind() == ErrorKind.BUSY);
            assertTrue(shell("sched:resources"), shell("sched:resources").contains("REFUSED"));
        } finally {
            Files.delete(cfg);
        }
        Await.until("the monitor admitting again", BOUND, () -> service(ResourceMonitor.class).admitsNewExecution());
        assertEquals(ScriptStatus.COMPLETED, run("probe").status());
        String shown = shell("sched:resources");
        assertTrue(shown, shown.contains("admitted") && shown.contains("heaviest runs") && shown.contains("probe"));
        undeploy("probe");
    }

    @Test
    public void shellSetsListsAndCancelsSchedulesAndNamesCronErrors() throws Exception {
        String next = shell("sched:next -n 3 cron \"0 8 * * MON-FRI\" UTC");
        assertEquals("a header and three times: " + next, 4, next.lines().count());
        assertTrue(next, next.lines().findFirst().orElseThrow().contains("IN UTC"));
        assertTrue(next, next.contains("08:00:00"));
        deploy("handy", "kind = \"manual\"", "return 1\n");
        awaitStatus("handy", ScriptStatus.COMPILED);
        String bad = shell("sched:set handy cron \"*/5 75 * * *\"");
        assertTrue(bad, bad.contains("column 5") && bad.contains("hour value 75"));
        String set = shell("sched:set -o queue handy every 1h");
        assertTrue(set, set.contains("every 1h") && set.contains("overlap queue"));
        assertEquals(java.time.Duration.ofHours(1), scheduler().get("handy").orElseThrow().spec().interval());
        assertTrue(shell("sched:cancel handy").contains("cancelled"));
        String unknown = shell("sched:set nosuch every 1h");
        assertTrue(unknown, unknown.contains("no script named 'nosuch'"));
        assertTrue(scheduler().get("handy").isEmpty());
        undeploy("handy");
    }

    @Test
    public void aScheduleFasterThanTheMinimumIntervalIsRefusedAtDeployAndAtSchedSet() throws Exception {
        deploy("quick", "kind = \"interval\"\ninterval = \"1h\"", "return 1\n");
        awaitStatus("quick", ScriptStatus.COMPILED);
        write(folder().resolve("quick.toml"), "version = \"1.0.1\"\npermissions = []\n[schedule]\nkind = \"interval\"\n"
                + "interval = \"1ms\"\noverlap = \"parallel\"\n");
        org.scriptbox.api.ScriptError error = Await.until("the refusal", BOUND,
                () -> manager.get("quick").get().lastError(), e -> e != null);
        assertTrue(error.toString(), error.location().startsWith("quick.toml:5") && error.message().contains("1ms")
                && error.message().contains("minimum schedule interval of 100ms"));
        assertEquals("the old schedule stays", Duration.ofHours(1), scheduler().get("quick").orElseThrow().spec().interval());
        String refused = shell("sched:set quick every 5ms");
        assertTrue(refused, refused.contains("more often than the minimum schedule interval of 100ms"));
        assertEquals(Duration.ofHours(1), scheduler().get("quick").orElseThrow().spec().interval());
        undeploy("quick");
    }

    @Test
    public void aFastParallelScheduleDoesNotPileRunsIntoTheQueue() throws Exception {
        ServiceRegistration<ScriptLibrary> lib = registerWaitLibrary();
        try {
            mostWaiting.set(0);
            deploy("piler", "kind = \"interval\"\ninterval = \"100ms\"\noverlap = \"parallel\"", "wait_ms(60000)\n");
            Await.until("fires skipped while five runs hang", Duration.ofSeconds(30),
                    () -> scheduler().get("piler").map(ScheduledScript::skipped).orElse(0L), n -> n >= 20);
            assertEquals("runs under way: the parallel limit", 5, mostWaiting.get());
            assertTrue(manager.get("piler").isPresent());
        } finally {
            undeploy("piler");
            lib.unregister();
        }
        Await.until("every piler execution ended", BOUND, () -> waiting.get() == 0);
    }

    /**
     * A full disk under the scheduler's data area: a 64 KiB tmpfs mounted over it and filled. Needs
     * root (mount); elsewhere the same path is covered through the store's writer seam
     * (SchedulerDurabilityTest).
     */
    @Test
    public void schedSetOnAFullDiskSaysSoAndIsSavedWhenSpaceReturns() throws Exception {
        Path area = bundle("org.scriptbox.scheduler").getDataFile("").toPath();
        Files.createDirectories(area);
        org.junit.Assume.assumeTrue("can mount a small tmpfs (root)", command("mount", "-t", "tmpfs", "-o", "size=64k",
                "tmpfs", area.toString()) == 0);
        try {
            deploy("diskful", "kind = \"manual\"", "return 1\n");
            awaitStatus("diskful", ScriptStatus.COMPILED);
            Path filler = area.resolve("filler");
            try (java.io.OutputStream out = Files.newOutputStream(filler)) {
                byte[] block = new byte[4096];
                for (int i = 0; i < 1000; i++) {
                    out.write(block);
                    out.flush();
                }
            } catch (IOException full) {
                // the disk is full now
            }
            String set = shell("sched:set diskful every 1h");
            assertTrue(set, set.contains("every 1h") && set.contains("WARNING") && set.contains("not saved")
                    && set.contains("No space left on device"));
            assertTrue(set, !set.contains("Exception"));
            assertTrue(shell("sched:schedules").contains("No space left on device"));

            Files.delete(filler);   // space returns: the periodic retry saves it
            Path saved = area.resolve("hand-schedules.properties");
            Await.until("the schedule saved in " + saved, BOUND,
                    () -> Files.exists(saved) && read(saved).contains("diskful"), b -> b);
            Await.until("the warning gone", BOUND, () -> scheduler().saveProblem().isEmpty());
            assertTrue(shell("sched:cancel diskful").contains("cancelled"));
            assertTrue(!read(saved).contains("diskful"));
        } finally {
            command("umount", area.toString());
            undeploy("diskful");
        }
    }

    private static int command(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static Throwable failureOf(Promise<ExecutionResult> p) {
        try {
            return p.getFailure();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(bsn + " not installed");
    }

    /** wait_ms(n): waits in the engine's cancellable sleep, counting executions inside it. */
    private ServiceRegistration<ScriptLibrary> registerWaitLibrary() {
        ScriptFunction waitMs = (scope, args) -> {
            mostWaiting.accumulateAndGet(waiting.incrementAndGet(), Math::max);
            try {
                scope.sleep(TimeUnit.MILLISECONDS.toNanos(((Number) args[0]).longValue()));
            } finally {
                waiting.decrementAndGet();
            }
            return null;
        };
        return TestLibraries.register(context, "sched-itest", Map.of("wait_ms", waitMs));
    }

    private String shell(String command) throws Exception {
        return Shell.execute(context, command);
    }
}
