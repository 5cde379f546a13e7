package org.scriptbox.scheduler.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.schedule.MisfirePolicy;
import org.scriptbox.api.schedule.OverlapPolicy;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduledScript;

public class SchedulerCoreTest {
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    private ManualClock clock;
    private ManualTimer timer;
    private FakeManager manager;
    private Path dataDir;
    private SchedulerCore core;

    @Before
    public void setUp() throws Exception {
        dataDir = Files.createTempDirectory("sched-test");
        start(T0);
    }

    @After
    public void tearDown() {
        core.close();
    }

    private void start(Instant now) {
        clock = new ManualClock(now);
        timer = new ManualTimer(clock);
        manager = new FakeManager();
        manager.completeAtOnce = true;
        core = new SchedulerCore(clock, timer, manager, new FireTimeStore(dataDir.resolve("fires.properties")),
                new HandSchedules(dataDir.resolve("hand.properties")));
    }

    private static ScheduleSpec interval(Duration every, OverlapPolicy overlap, MisfirePolicy misfire) {
        return new ScheduleSpec(ScheduleSpec.Kind.INTERVAL, null, null, every, null, null, overlap, misfire);
    }

    private static ScriptEvent event(ScriptEvent.Type type, String name, ScheduleSpec spec) {
        ScriptMetadata md = new ScriptMetadata(name, "1.0.0", null, null, null, null, null, null, null, null, null, spec);
        return new ScriptEvent(type, new ScriptInfo(md, ScriptStatus.COMPILED, ExecutionStats.EMPTY, null, "test",
                T0, List.of(), 0));
    }

    @Test
    public void intervalFiresOnceEveryPeriodFromArming() {
        core.schedule("blink", ScheduleSpec.interval(Duration.ofSeconds(10)));
        timer.advance(Duration.ofSeconds(9));
        assertEquals(0, manager.executions("blink"));
        timer.advance(Duration.ofSeconds(26));
        assertEquals(3, manager.executions("blink"));
        ScheduledScript s = core.get("blink").orElseThrow();
        assertEquals(T0.plusSeconds(30), s.lastFire());
        assertEquals(T0.plusSeconds(40), s.nextFire());
        assertEquals(3, s.fireCount());
    }

    @Test
    public void intervalHonoursItsFirstRunDelay() {
        core.schedule("x", new ScheduleSpec(ScheduleSpec.Kind.INTERVAL, null, Duration.ofSeconds(2),
                Duration.ofMinutes(1), null, null, null, null));
        timer.advance(Duration.ofSeconds(2));
        assertEquals(1, manager.executions("x"));
        assertEquals(T0.plusSeconds(62), core.get("x").orElseThrow().nextFire());
    }

    @Test
    public void onceAtATimeFiresOnceThenHasNoNextFire() {
        core.schedule("report", ScheduleSpec.once(T0.plusSeconds(60)));
        timer.advance(Duration.ofSeconds(59));
        assertEquals(0, manager.executions("report"));
        timer.advance(Duration.ofHours(5));
        assertEquals(1, manager.executions("report"));
        assertNull(core.get("report").orElseThrow().nextFire());
    }

    @Test
    public void onceAfterADelay() {
        core.schedule("r", ScheduleSpec.onceAfter(Duration.ofMillis(1500)));
        timer.advance(Duration.ofMillis(1499));
        assertEquals(0, manager.executions("r"));
        timer.advance(Duration.ofMillis(1));
        assertEquals(1, manager.executions("r"));
    }

    @Test
    public void onceInThePastIsRefusedWhenSetByHand() {
        try {
            core.schedule("r", ScheduleSpec.once(T0.minusSeconds(1)));
            fail("accepted a time in the past");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("in the past"));
        }
    }

    @Test
    public void cronFiresAtItsTimesInItsZone() {
        core.schedule("q", ScheduleSpec.cron("*/15 * * * *", "UTC"));
        timer.advance(Duration.ofMinutes(60));
        assertEquals(4, manager.executions("q"));
        assertEquals(T0.plus(Duration.ofMinutes(75)), core.get("q").orElseThrow().nextFire());
        // 08:00 in Berlin is 07:00 UTC in March before DST
        core.schedule("b", ScheduleSpec.cron("0 8 * * *", "Europe/Berlin"));
        assertEquals(Instant.parse("2026-03-01T07:00:00Z"), core.get("b").orElseThrow().nextFire());
    }

    @Test
    public void badSchedulesAreRefusedWithOneSentence() {
        assertRefused(ScheduleSpec.cron("*/5 75 * * *", "UTC"), "column 5");
        assertRefused(ScheduleSpec.cron("* * * * *", "Mars/Olympus"), "unknown time zone");
        assertRefused(ScheduleSpec.interval(Duration.ZERO), "positive interval");
        assertRefused(new ScheduleSpec(ScheduleSpec.Kind.ONCE, null, null, null, null, null, null, null), "delay");
    }

    private void assertRefused(ScheduleSpec spec, String fragment) {
        try {
            core.schedule("bad", spec);
            fail("accepted " + spec);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(fragment));
        }
    }

    @Test
    public void manualIsListedButNeverFires() {
        core.schedule("m", ScheduleSpec.manual());
        timer.advance(Duration.ofDays(3));
        assertEquals(0, manager.executions("m"));
        ScheduledScript s = core.get("m").orElseThrow();
        assertNull(s.nextFire());
        assertTrue(s.enabled());
        assertEquals(0, timer.pending());
    }

    @Test
    public void overlapSkipDropsRunsWhileThePreviousRuns() {
        manager.completeAtOnce = false;
        core.schedule("s", interval(Duration.ofSeconds(10), OverlapPolicy.SKIP, null));
        timer.advance(Duration.ofSeconds(35));
        assertEquals(1, manager.executions("s"));
        assertEquals(2, core.get("s").orElseThrow().skipped());
        manager.completeOne("s");
        timer.advance(Duration.ofSeconds(5));
        assertEquals(2, manager.executions("s"));
    }

    @Test
    public void overlapQueueRunsOneWaitingRunWhenThePreviousEnds() {
        manager.completeAtOnce = false;
        core.schedule("q", interval(Duration.ofSeconds(10), OverlapPolicy.QUEUE, null));
        timer.advance(Duration.ofSeconds(35));
        assertEquals(1, manager.executions("q"));
        assertEquals("one waits, one is dropped", 1, core.get("q").orElseThrow().skipped());
        manager.completeOne("q");
        timer.runDue();
        assertEquals(2, manager.executions("q"));
        assertEquals(1, manager.running("q"));
    }

    @Test
    public void overlapParallelStartsEveryRun() {
        manager.completeAtOnce = false;
        core.schedule("p", interval(Duration.ofSeconds(10), OverlapPolicy.PARALLEL, null));
        timer.advance(Duration.ofSeconds(35));
        assertEquals(3, manager.running("p"));
        assertEquals(0, core.get("p").orElseThrow().skipped());
    }

    @Test
    public void aRunRefusedAsBusyCountsAsSkipped() {
        manager.busy = true;
        core.schedule("b", ScheduleSpec.interval(Duration.ofSeconds(1)));
        timer.advance(Duration.ofSeconds(3));
        ScheduledScript s = core.get("b").orElseThrow();
        assertEquals(0, s.fireCount());
        assertEquals(3, s.skipped());
        manager.busy = false;
        timer.advance(Duration.ofSeconds(1));
        assertEquals(1, core.get("b").orElseThrow().fireCount());
    }

    @Test
    public void aLateTimerCatchesUpWithOneRunAndCountsTheRestAsSkipped() {
        core.schedule("l", ScheduleSpec.interval(Duration.ofSeconds(10)));
        timer.jump(Duration.ofSeconds(45));   // host suspended past four fire times
        timer.runDue();
        ScheduledScript s = core.get("l").orElseThrow();
        assertEquals(1, manager.executions("l"));
        assertEquals(3, s.skipped());
        assertEquals(T0.plusSeconds(50), s.nextFire());
    }

    @Test
    public void cancelStopsFiringAndReArmingReplaces() {
        core.schedule("c", ScheduleSpec.interval(Duration.ofSeconds(10)));
        timer.advance(Duration.ofSeconds(10));
        core.schedule("c", ScheduleSpec.interval(Duration.ofSeconds(60)));
        timer.advance(Duration.ofSeconds(50));
        assertEquals("the 10 s schedule is gone", 1, manager.executions("c"));
        assertTrue(core.cancel("c"));
        assertFalse(core.cancel("c"));
        timer.advance(Duration.ofMinutes(10));
        assertEquals(1, manager.executions("c"));
        assertTrue(core.get("c").isEmpty());
        assertEquals(0, timer.pending());
    }

    @Test
    public void deployArmsFromMetadataAndUndeployDuringARunCancelsEverything() {
        manager.completeAtOnce = false;
        ScheduleSpec spec = interval(Duration.ofSeconds(5), OverlapPolicy.QUEUE, null);
        core.scriptChanged(event(ScriptEvent.Type.DEPLOYED, "d", spec));
        timer.advance(Duration.ofSeconds(10));   // one running, one queued
        assertEquals(1, manager.running("d"));
        core.scriptChanged(event(ScriptEvent.Type.UNDEPLOYED, "d", spec));
        timer.runDue();   // the cancel goes to the manager off the listener's thread
        assertEquals(1, manager.cancelCalls.get());
        assertEquals(0, manager.running("d"));
        timer.advance(Duration.ofMinutes(1));
        assertEquals("the queued run did not start and nothing fired after undeploy", 1, manager.executions("d"));
        assertTrue(core.list().isEmpty());
        assertEquals(0, timer.pending());
    }

    @Test
    public void unresolvedDisablesAndResolvedReArms() {
        ScheduleSpec spec = ScheduleSpec.interval(Duration.ofSeconds(5));
        core.scriptChanged(event(ScriptEvent.Type.DEPLOYED, "u", spec));
        timer.advance(Duration.ofSeconds(5));
        core.scriptChanged(event(ScriptEvent.Type.UNRESOLVED, "u", spec));
        timer.advance(Duration.ofSeconds(30));
        assertEquals(1, manager.executions("u"));
        assertFalse(core.get("u").orElseThrow().enabled());
        core.scriptChanged(event(ScriptEvent.Type.DEPLOYED, "u", spec));
        timer.advance(Duration.ofSeconds(5));
        assertEquals(2, manager.executions("u"));
    }

    @Test
    public void updateReArmsFromNewMetadataAndKeepsAScheduleSetByHand() {
        core.scriptChanged(event(ScriptEvent.Type.DEPLOYED, "a", ScheduleSpec.interval(Duration.ofSeconds(5))));
        core.scriptChanged(event(ScriptEvent.Type.UPDATED, "a", ScheduleSpec.cron("0 * * * *", "UTC")));
        assertEquals(ScheduleSpec.Kind.CRON, core.get("a").orElseThrow().spec().kind());
        core.scriptChanged(event(ScriptEvent.Type.UPDATED, "a", null));
        assertTrue("metadata schedule removed with the metadata", core.get("a").isEmpty());

        core.schedule("h", ScheduleSpec.interval(Duration.ofSeconds(7)));
        core.scriptChanged(event(ScriptEvent.Type.UPDATED, "h", null));
        assertEquals(Duration.ofSeconds(7), core.get("h").orElseThrow().spec().interval());
    }

    @Test
    public void aBadScheduleInMetadataIsLoggedNotThrown() {
        core.scriptChanged(event(ScriptEvent.Type.DEPLOYED, "bad", ScheduleSpec.cron("nope", "UTC")));
        assertTrue(core.get("bad").isEmpty());
    }

    @Test
    public void restartWithRunOnceRunsAMissedIntervalOnceThenKeepsGoing() {
        ScheduleSpec spec = interval(Duration.ofSeconds(10), null, MisfirePolicy.RUN_ONCE);
        core.armFromMetadata("r", spec);
        timer.advance(Duration.ofSeconds(10));
        core.close();

        start(T0.plusSeconds(300));   // down for almost five minutes
        core.armFromMetadata("r", spec);
        assertEquals(T0.plusSeconds(300), core.get("r").orElseThrow().nextFire());
        timer.runDue();
        assertEquals(1, manager.executions("r"));
        timer.advance(Duration.ofSeconds(10));
        assertEquals(2, manager.executions("r"));
    }

    @Test
    public void restartWithSkipWaitsForTheNextFireOnTheOldCadence() {
        ScheduleSpec spec = interval(Duration.ofSeconds(10), null, MisfirePolicy.SKIP);
        core.armFromMetadata("s", spec);
        timer.advance(Duration.ofSeconds(10));
        core.close();

        start(T0.plusSeconds(305));
        core.armFromMetadata("s", spec);
        timer.runDue();
        assertEquals(0, manager.executions("s"));
        assertEquals(T0.plusSeconds(310), core.get("s").orElseThrow().nextFire());
    }

    @Test
    public void restartWithoutMissedRunsKeepsTheCadence() {
        ScheduleSpec spec = interval(Duration.ofMinutes(1), null, MisfirePolicy.RUN_ONCE);
        core.armFromMetadata("k", spec);
        timer.advance(Duration.ofMinutes(1));
        core.close();
        start(T0.plusSeconds(80));
        core.armFromMetadata("k", spec);
        timer.runDue();
        assertEquals(0, manager.executions("k"));
        assertEquals(T0.plusSeconds(120), core.get("k").orElseThrow().nextFire());
    }

    @Test
    public void restartRunsAMissedCronOnceOrSkipsIt() {
        ScheduleSpec runOnce = new ScheduleSpec(ScheduleSpec.Kind.CRON, null, null, null, "0 * * * *", "UTC", null,
                MisfirePolicy.RUN_ONCE);
        ScheduleSpec skip = new ScheduleSpec(ScheduleSpec.Kind.CRON, null, null, null, "0 * * * *", "UTC", null,
                MisfirePolicy.SKIP);
        core.armFromMetadata("a", runOnce);
        core.armFromMetadata("b", skip);
        timer.advance(Duration.ofHours(1));
        core.close();
        start(T0.plus(Duration.ofHours(5)).plusSeconds(30));
        core.armFromMetadata("a", runOnce);
        core.armFromMetadata("b", skip);
        timer.runDue();
        assertEquals(1, manager.executions("a"));
        assertEquals(0, manager.executions("b"));
        assertEquals(T0.plus(Duration.ofHours(6)), core.get("b").orElseThrow().nextFire());
    }

    @Test
    public void aOnceThatAlreadyRanDoesNotRunAgainAfterRestart() {
        ScheduleSpec spec = new ScheduleSpec(ScheduleSpec.Kind.ONCE, T0.plusSeconds(5), null, null, null, null, null,
                MisfirePolicy.RUN_ONCE);
        core.armFromMetadata("o", spec);
        timer.advance(Duration.ofSeconds(5));
        assertEquals(1, manager.executions("o"));
        core.close();
        start(T0.plusSeconds(60));
        core.armFromMetadata("o", spec);
        timer.advance(Duration.ofMinutes(5));
        assertEquals(0, manager.executions("o"));
    }

    @Test
    public void aOnceMissedWhileDownFollowsTheMisfirePolicy() {
        start(T0.plusSeconds(60));
        core.armFromMetadata("run", new ScheduleSpec(ScheduleSpec.Kind.ONCE, T0, null, null, null, null, null,
                MisfirePolicy.RUN_ONCE));
        core.armFromMetadata("skip", new ScheduleSpec(ScheduleSpec.Kind.ONCE, T0, null, null, null, null, null,
                MisfirePolicy.SKIP));
        timer.advance(Duration.ofMinutes(5));
        assertEquals(1, manager.executions("run"));
        assertEquals(0, manager.executions("skip"));
    }

    @Test
    public void rebootRunsOncePerContainerStart() {
        ScheduleSpec spec = ScheduleSpec.cron("@reboot", null);
        core.armFromMetadata("boot", spec);
        timer.runDue();
        core.armFromMetadata("boot", spec);   // an update in the same run does not count as a reboot
        timer.advance(Duration.ofHours(1));
        assertEquals(1, manager.executions("boot"));
        core.close();
        start(T0.plus(Duration.ofDays(1)));
        core.armFromMetadata("boot", spec);
        timer.runDue();
        assertEquals(1, manager.executions("boot"));
    }

    @Test
    public void nextFireTimesListsUpcomingRuns() {
        assertEquals(List.of(T0.plusSeconds(10), T0.plusSeconds(20), T0.plusSeconds(30)),
                core.nextFireTimes(ScheduleSpec.interval(Duration.ofSeconds(10)), T0, 3));
        assertEquals(List.of(Instant.parse("2026-03-31T00:00:00Z"), Instant.parse("2026-05-31T00:00:00Z")),
                core.nextFireTimes(ScheduleSpec.cron("0 0 31 * *", "UTC"), T0, 2));
        assertEquals(List.of(), core.nextFireTimes(ScheduleSpec.manual(), T0, 3));
        assertEquals(List.of(T0.plusSeconds(5)), core.nextFireTimes(ScheduleSpec.once(T0.plusSeconds(5)), T0, 3));
    }

    @Test
    public void aScheduleSetByHandComesBackAfterRestartAndRedeployUntilCancelledByHand() {
        core.scriptChanged(event(ScriptEvent.Type.DEPLOYED, "h", ScheduleSpec.interval(Duration.ofSeconds(60))));
        core.schedule("h", ScheduleSpec.interval(Duration.ofSeconds(10)));
        timer.advance(Duration.ofSeconds(10));
        core.scriptChanged(event(ScriptEvent.Type.UNDEPLOYED, "h", null));   // what the container's stop does
        assertTrue(core.get("h").isEmpty());
        core.close();

        start(T0.plusSeconds(15));
        core.armDeployed(List.of(event(ScriptEvent.Type.DEPLOYED, "h", ScheduleSpec.interval(Duration.ofSeconds(60)))
                .script()));
        assertEquals("the hand-set schedule wins over the metadata's, on its old cadence",
                Duration.ofSeconds(10), core.get("h").orElseThrow().spec().interval());
        assertEquals(T0.plusSeconds(20), core.get("h").orElseThrow().nextFire());
        timer.advance(Duration.ofSeconds(5));
        assertEquals(1, manager.executions("h"));

        core.scriptChanged(event(ScriptEvent.Type.UNDEPLOYED, "h", null));
        core.scriptChanged(event(ScriptEvent.Type.DEPLOYED, "h", null));
        assertEquals(Duration.ofSeconds(10), core.get("h").orElseThrow().spec().interval());

        assertTrue(core.cancelByHand("h"));
        assertFalse(core.cancelByHand("h"));
        core.close();
        start(T0.plusSeconds(100));
        core.armDeployed(List.of(event(ScriptEvent.Type.DEPLOYED, "h", ScheduleSpec.interval(Duration.ofSeconds(60)))
                .script()));
        assertEquals("after the cancel, the metadata's schedule again",
                Duration.ofSeconds(60), core.get("h").orElseThrow().spec().interval());
    }

    @Test
    public void aOnceAfterADelaySetByHandRunsOnceAcrossARestart() {
        core.schedule("o", ScheduleSpec.onceAfter(Duration.ofSeconds(30)));
        core.close();
        start(T0.plusSeconds(10));   // restarted before it fell due: it still falls due at T0 + 30 s
        core.scriptChanged(event(ScriptEvent.Type.DEPLOYED, "o", null));
        assertEquals(T0.plusSeconds(30), core.get("o").orElseThrow().nextFire());
        timer.advance(Duration.ofSeconds(20));
        assertEquals(1, manager.executions("o"));
        core.close();
        start(T0.plusSeconds(100));
        core.scriptChanged(event(ScriptEvent.Type.DEPLOYED, "o", null));
        timer.advance(Duration.ofMinutes(10));
        assertEquals("it ran already", 0, manager.executions("o"));
    }

    @Test
    public void handSetSpecsRoundTripThroughTheirStoredForm() {
        ScheduleSpec[] specs = {
            new ScheduleSpec(ScheduleSpec.Kind.CRON, null, null, null, "*/5 9-17 * * MON-FRI", "Europe/Berlin",
                    OverlapPolicy.QUEUE, MisfirePolicy.RUN_ONCE),
            new ScheduleSpec(ScheduleSpec.Kind.INTERVAL, null, Duration.ofMillis(1500), Duration.ofMinutes(2), null,
                    null, OverlapPolicy.PARALLEL, null),
            ScheduleSpec.once(T0), ScheduleSpec.manual()};
        for (ScheduleSpec spec : specs) {
            assertEquals(spec, HandSchedules.decode(HandSchedules.encode(spec)));
        }
    }
}
