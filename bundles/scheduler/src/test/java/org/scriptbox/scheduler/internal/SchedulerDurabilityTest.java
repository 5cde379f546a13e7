package org.scriptbox.scheduler.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import org.junit.Before;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.schedule.MisfirePolicy;
import org.scriptbox.api.schedule.OverlapPolicy;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduledScript;

/**
 * At-most-once across crashes (a run_once fire is on disk before its run starts), saves that fail (full disk:
 * reported, retried, one warning) and the schedule limits (minimum interval, runs of a parallel schedule).
 * A "crash" here is a new core on the same files without {@link SchedulerCore#close}; the real kill -9 is in
 * SchedCrashIT.
 */
public class SchedulerDurabilityTest {
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    private Path dataDir;
    private ManualClock clock;
    private ManualTimer timer;
    private FakeManager manager;
    private SchedulerCore core;
    private final Disk disk = new Disk();
    private final QueuedExecutor saves = new QueuedExecutor();

    /** The real durable writer, until told that the disk is full. */
    static final class Disk implements PropertiesFile.StateWriter {
        volatile boolean full;
        int writes;

        @Override
        public void write(Path file, Map<String, String> entries, String comment) throws IOException {
            if (full) {
                throw new FileSystemException(file.toString(), null, "No space left on device");
            }
            writes++;
            PropertiesFile.write(file, entries, comment);
        }
    }

    /** Runs the store's durable writes when the test says, so a test can look between fire and run. */
    static final class QueuedExecutor implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.remove(0).run();
            }
        }
    }

    @Before
    public void setUp() throws IOException {
        dataDir = Files.createTempDirectory("sched-durable");
        start(T0, ScheduleLimits.DEFAULTS);
    }

    /** A fresh core on the same data files: a container start, or the restart after a crash. */
    private void start(Instant now, ScheduleLimits limits) {
        clock = new ManualClock(now);
        timer = new ManualTimer(clock);
        manager = new FakeManager();
        manager.completeAtOnce = true;
        core = new SchedulerCore(clock, timer, manager,
                new FireTimeStore(dataDir.resolve("fires.properties"), disk, saves),
                new HandSchedules(dataDir.resolve("hand.properties"), disk), limits);
    }

    private static ScheduleSpec once(Instant at, MisfirePolicy misfire) {
        return new ScheduleSpec(ScheduleSpec.Kind.ONCE, at, null, null, null, null, null, misfire);
    }

    private static ScheduleSpec interval(Duration every, OverlapPolicy overlap, MisfirePolicy misfire) {
        return new ScheduleSpec(ScheduleSpec.Kind.INTERVAL, null, null, every, null, null, overlap, misfire);
    }

    private static ScriptEvent deployed(String name) {
        ScriptMetadata md = new ScriptMetadata(name, "1.0.0", null, null, null, null, null, null, null, null, null, null);
        return new ScriptEvent(ScriptEvent.Type.DEPLOYED, new ScriptInfo(md, ScriptStatus.COMPILED, ExecutionStats.EMPTY,
                null, "test", T0, List.of(), 0));
    }

    @Test
    public void aRunOnceFireIsOnDiskBeforeItsRunStarts() throws IOException {
        core.armFromMetadata("o", once(T0.plusSeconds(5), MisfirePolicy.RUN_ONCE));
        timer.advance(Duration.ofSeconds(5));
        assertEquals("the run waits for the save", 0, manager.executions("o"));
        saves.runAll();
        assertEquals(1, manager.executions("o"));
        assertEquals(T0.plusSeconds(5).toString(), PropertiesFile.read(dataDir.resolve("fires.properties")).get("o"));
    }

    @Test
    public void aOnceDoesNotRunAgainAfterACrashRightAfterItsFire() {
        ScheduleSpec spec = once(T0.plusSeconds(5), MisfirePolicy.RUN_ONCE);
        core.armFromMetadata("o", spec);
        timer.advance(Duration.ofSeconds(5));
        saves.runAll();
        assertEquals(1, manager.executions("o"));
        // crash: no close(), no periodic save; the next start must know the once ran
        start(T0.plusSeconds(6), ScheduleLimits.DEFAULTS);
        core.armFromMetadata("o", spec);
        timer.advance(Duration.ofMinutes(5));
        saves.runAll();
        assertEquals(0, manager.executions("o"));
        assertEquals(null, core.get("o").orElseThrow().nextFire());
    }

    @Test
    public void runOnceCronAndIntervalSlotsDoNotRunAgainAfterACrash() {
        ScheduleSpec cron = new ScheduleSpec(ScheduleSpec.Kind.CRON, null, null, null, "0 * * * *", "UTC", null,
                MisfirePolicy.RUN_ONCE);
        ScheduleSpec every = interval(Duration.ofHours(1), null, MisfirePolicy.RUN_ONCE);
        core.armFromMetadata("c", cron);
        core.armFromMetadata("i", every);
        timer.advance(Duration.ofHours(1));
        saves.runAll();
        assertEquals(1, manager.executions("c"));
        assertEquals(1, manager.executions("i"));
        start(T0.plus(Duration.ofHours(1)).plusSeconds(2), ScheduleLimits.DEFAULTS);   // crash 2 s after the fire
        core.armFromMetadata("c", cron);
        core.armFromMetadata("i", every);
        timer.runDue();
        saves.runAll();
        assertEquals(0, manager.executions("c"));
        assertEquals(0, manager.executions("i"));
        assertEquals(T0.plus(Duration.ofHours(2)), core.get("c").orElseThrow().nextFire());
        assertEquals(T0.plus(Duration.ofHours(2)), core.get("i").orElseThrow().nextFire());
    }

    @Test
    public void theFirstFireOfAnIntervalWithMisfireSkipIsSavedBeforeItsRunToo() {
        // without history an interval counts from its arming: a lost first fire would run again after a crash
        ScheduleSpec spec = new ScheduleSpec(ScheduleSpec.Kind.INTERVAL, null, Duration.ofSeconds(2),
                Duration.ofHours(1), null, null, null, MisfirePolicy.SKIP);
        core.armFromMetadata("first", spec);
        timer.advance(Duration.ofSeconds(2));
        assertEquals("waits for the save", 0, manager.executions("first"));
        saves.runAll();
        assertEquals(1, manager.executions("first"));
        start(T0.plusSeconds(3), ScheduleLimits.DEFAULTS);   // crash right after
        core.armFromMetadata("first", spec);
        timer.advance(Duration.ofMinutes(30));
        saves.runAll();
        assertEquals(0, manager.executions("first"));
        assertEquals(T0.plusSeconds(2).plus(Duration.ofHours(1)), core.get("first").orElseThrow().nextFire());
        // later fires of a skip schedule are not waited for
        timer.advance(Duration.ofMinutes(31));
        assertEquals(1, manager.executions("first"));
    }

    @Test
    public void firesThatComeTogetherAreSavedByOneWrite() {
        for (int i = 0; i < 50; i++) {
            core.armFromMetadata("s" + i, interval(Duration.ofSeconds(10), OverlapPolicy.PARALLEL,
                    MisfirePolicy.RUN_ONCE));
        }
        int before = disk.writes;
        timer.advance(Duration.ofSeconds(10));
        saves.runAll();
        assertEquals("50 fires, one group commit", 1, disk.writes - before);
        for (int i = 0; i < 50; i++) {
            assertEquals(1, manager.executions("s" + i));
        }
    }

    @Test
    public void aRunOnceFireThatCannotBeSavedDoesNotStartAndIsReportedOnce() {
        core.armFromMetadata("r", interval(Duration.ofSeconds(1), null, MisfirePolicy.RUN_ONCE));
        core.armFromMetadata("q", interval(Duration.ofSeconds(1), null, MisfirePolicy.SKIP));
        disk.full = true;
        for (int i = 0; i < 20; i++) {
            timer.advance(Duration.ofSeconds(1));
            saves.runAll();
            core.saveFireTimes();   // the periodic save and retry
        }
        assertEquals(0, manager.executions("r"));
        // misfire skip cannot run twice after a crash, so it runs; only its very first fire waits for a save
        assertEquals(19, manager.executions("q"));
        ScheduledScript r = core.get("r").orElseThrow();
        assertEquals(20, r.skipped());
        assertEquals(0, r.fireCount());
        String problem = core.saveProblem().orElseThrow();
        assertTrue(problem, problem.contains("No space left on device") && problem.contains("run_once"));
        assertFalse(problem, problem.contains("Exception"));

        disk.full = false;
        timer.advance(Duration.ofSeconds(1));
        saves.runAll();
        assertEquals(1, manager.executions("r"));
        assertTrue(core.saveProblem().isEmpty());
    }

    @Test
    public void aScheduleSetByHandOnAFullDiskIsReportedKeptAndSavedWhenSpaceReturns() {
        disk.full = true;
        core.schedule("h", ScheduleSpec.interval(Duration.ofMinutes(5)));
        assertTrue(core.get("h").isPresent());
        String problem = core.saveProblem().orElseThrow();
        assertTrue(problem, problem.contains("schedules set by hand") && problem.contains("No space left on device"));
        core.saveFireTimes();   // retry while still full: still reported
        assertTrue(core.saveProblem().isPresent());

        disk.full = false;
        core.saveFireTimes();   // the periodic retry
        assertTrue(core.saveProblem().isEmpty());
        start(T0.plusSeconds(10), ScheduleLimits.DEFAULTS);
        core.armDeployed(List.of());
        core.scriptChanged(deployed("h"));
        assertEquals(Duration.ofMinutes(5), core.get("h").orElseThrow().spec().interval());
    }

    @Test
    public void oneWarningPerConditionNotPerSave() {
        SaveStatus status = new SaveStatus("x", dataDir.resolve("x"), "y");
        IOException full = new FileSystemException("x", null, "No space left on device");
        for (int i = 0; i < 100; i++) {
            status.failed(full);
        }
        assertEquals(1, status.warnings());
        status.failed(new java.nio.file.AccessDeniedException("x"));
        assertEquals("a new reason is a new condition", 2, status.warnings());
        status.saved();
        status.failed(full);
        assertEquals(3, status.warnings());
    }

    @Test
    public void intervalsAndCronBelowTheMinimumAreRefusedWithTheSetting() {
        try {
            core.schedule("fast", interval(Duration.ofMillis(1), OverlapPolicy.PARALLEL, MisfirePolicy.SKIP));
            fail("a 1 ms interval was accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("1ms") && e.getMessage().contains("100ms")
                    && e.getMessage().contains("min.interval.ms"));
        }
        try {   // the manager's codec validates metadata through nextFireTimes
            core.nextFireTimes(interval(Duration.ofMillis(99), null, null), T0, 1);
            fail("a 99 ms interval was accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("99ms"));
        }
        core.nextFireTimes(interval(Duration.ofMillis(100), null, null), T0, 1);

        start(T0, new ScheduleLimits(Duration.ofSeconds(30), 5));
        ScheduleSpec everySecond = new ScheduleSpec(ScheduleSpec.Kind.CRON, null, null, null, "*/10 * * * * *", "UTC",
                null, null);
        try {
            core.schedule("cron", everySecond);
            fail("a cron every 10 s was accepted under a 30 s minimum");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("10s") && e.getMessage().contains("30s"));
        }
        core.schedule("cron", new ScheduleSpec(ScheduleSpec.Kind.CRON, null, null, null, "*/30 * * * * *", "UTC",
                null, null));
        core.schedule("minutely", new ScheduleSpec(ScheduleSpec.Kind.CRON, null, null, null, "* * * * *", "UTC",
                null, null));
    }

    @Test
    public void intervalsAndDelaysTooLongForTheArithmeticAreRefusedInOneSentence() {
        for (ScheduleSpec spec : List.of(interval(Duration.ofDays(999_999_999), null, null),
                new ScheduleSpec(ScheduleSpec.Kind.INTERVAL, null, Duration.ofDays(999_999_999), Duration.ofMinutes(1),
                        null, null, null, null),
                ScheduleSpec.onceAfter(Duration.ofDays(999_999_999)))) {
            try {
                core.nextFireTimes(spec, T0, 3);
                fail("accepted " + spec);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("at most 3660 days"));
            }
        }
        assertEquals(3, core.nextFireTimes(interval(Trigger.LONGEST, null, null), T0, 3).size());
        assertEquals("sched:next -n is bounded", SchedulerCore.MAX_LISTED_FIRES, core.nextFireTimes(
                interval(Duration.ofSeconds(1), null, null), T0, Integer.MAX_VALUE).size());
    }

    @Test
    public void aRunThatCannotStartIsLoggedOncePerReasonNotOncePerFire() {
        core.schedule("off", interval(Duration.ofMillis(100), OverlapPolicy.PARALLEL, MisfirePolicy.SKIP));
        manager.refusal = ScriptError.of(ErrorKind.NOT_FOUND, "script 'off' is disabled");
        timer.advance(Duration.ofSeconds(10));
        saves.runAll();
        timer.advance(Duration.ofSeconds(10));   // 200 fires, every one refused
        assertEquals(1, core.startFailureWarnings());
        manager.refusal = ScriptError.of(ErrorKind.NOT_FOUND, "no script named 'off' is deployed");
        timer.advance(Duration.ofSeconds(1));
        assertEquals("a new reason is a new line", 2, core.startFailureWarnings());
        manager.refusal = null;
        timer.advance(Duration.ofSeconds(1));
        manager.refusal = ScriptError.of(ErrorKind.NOT_FOUND, "no script named 'off' is deployed");
        timer.advance(Duration.ofSeconds(1));
        assertEquals("after a run started, the same reason is news again", 3, core.startFailureWarnings());
    }

    @Test
    public void aParallelScheduleNeverHasMoreRunsUnderWayThanItsLimit() {
        manager.completeAtOnce = false;
        core.schedule("p", interval(Duration.ofMillis(100), OverlapPolicy.PARALLEL, MisfirePolicy.SKIP));
        timer.advance(Duration.ofSeconds(10));   // 100 fires while no run ends
        saves.runAll();   // the first fire of all is saved before its run
        assertEquals(5, manager.executions("p"));
        assertEquals(95, core.get("p").orElseThrow().skipped());
        manager.completeOne("p");
        timer.advance(Duration.ofMillis(100));
        assertEquals("a freed place is taken by the next fire", 6, manager.executions("p"));
    }

    /**
     * Red-team R17 (SchedIT failed in a train: "the last fire is remembered across the restart ... but was null"):
     * the entry showed the fire (lastFire, the fire count) before the store had it, so a stop in between saved a
     * store without it. The fire time must be in the store before anything can observe the fire.
     */
    @Test
    public void aFireIsInTheStoreBeforeAnyoneCanSeeIt() {
        FireTimeStore store = new FireTimeStore(dataDir.resolve("fires2.properties"), disk, saves);
        core = new SchedulerCore(clock, timer, manager, store, new HandSchedules(dataDir.resolve("hand2.properties"), disk),
                ScheduleLimits.DEFAULTS);
        java.util.List<Instant> storedWhenSeen = new java.util.ArrayList<>();
        core.observeFires((script, due, at) -> storedWhenSeen.add(store.lastFire(script)));
        core.armFromMetadata("h", interval(Duration.ofHours(1), OverlapPolicy.SKIP, MisfirePolicy.SKIP));
        timer.advance(Duration.ofHours(1));   // the first fire: no history yet (saved durably before its run)
        saves.runAll();
        timer.advance(Duration.ofHours(1));   // a later one: history, recorded without waiting
        saves.runAll();
        assertEquals(java.util.List.of(T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofHours(2))), storedWhenSeen);
        assertEquals(2, manager.executions("h"));
    }
}
