package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionTrigger;
import org.scriptbox.api.ScriptException;

public class ExecutionGateTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<CountDownLatch> started = new ArrayList<>();
    private ExecutionGate gate;

    @After
    public void tearDown() {
        release.countDown();
        if (gate != null) {
            gate.shutdown();
        }
    }

    /** Work that holds its slot until the test releases it; returns the latch that says it started. */
    private CountDownLatch blocking(String script, ExecutionTrigger trigger) {
        CountDownLatch s = new CountDownLatch(1);
        started.add(s);
        gate.submit(script, trigger, () -> {
            s.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return s;
    }

    private ScriptException refused(String script, ExecutionTrigger trigger) {
        try {
            blocking(script, trigger);
        } catch (ScriptException e) {
            assertEquals(ErrorKind.BUSY, e.kind());
            return e;
        }
        fail("admitted, expected BUSY");
        return null;
    }

    @Test
    public void aFloodingScheduleKeepsToItsShareAndOtherScriptsStillRun() throws Exception {
        // 10 slots, 1 kept for operators, 5 per script; 100 queue places, 20 per script
        gate = new ExecutionGate(new ExecutionCapacity(10, 100, 5, 20, 1));
        for (int i = 0; i < 25; i++) {
            blocking("hog", ExecutionTrigger.SCHEDULE);
        }
        ScriptException e = refused("hog", ExecutionTrigger.SCHEDULE);
        assertTrue(e.getMessage(), e.getMessage().contains("script 'hog' already has 5 runs running and 20 waiting"));
        assertEquals(5, gate.active());
        assertEquals(20, gate.queued());
        // an e-stop script's schedule still starts at once
        assertTrue(blocking("estop", ExecutionTrigger.SCHEDULE).await(5, TimeUnit.SECONDS));
        assertEquals(6, gate.active());
    }

    @Test
    public void theOperatorsReserveIsNotTakenBySchedules() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(4, 0, 4, 0, 1));
        for (String s : List.of("a", "b", "c")) {
            assertTrue(blocking(s, ExecutionTrigger.SCHEDULE).await(5, TimeUnit.SECONDS));
        }
        refused("d", ExecutionTrigger.SCHEDULE); // the fourth slot is the operators'
        assertTrue(blocking("d", ExecutionTrigger.OPERATOR).await(5, TimeUnit.SECONDS));
        assertEquals(4, gate.active());
        refused("e", ExecutionTrigger.OPERATOR); // every slot taken, no queue
    }

    @Test
    public void aWaitingOperatorRunGoesFirst() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(1, 5, 1, 5, 0));
        CountDownLatch first = blocking("hog", ExecutionTrigger.SCHEDULE);
        assertTrue(first.await(5, TimeUnit.SECONDS));
        List<String> order = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(2);
        gate.submit("hog", ExecutionTrigger.SCHEDULE, () -> { synchronized (order) { order.add("hog"); } done.countDown(); });
        gate.submit("op", ExecutionTrigger.OPERATOR, () -> { synchronized (order) { order.add("op"); } done.countDown(); });
        assertEquals(2, gate.queued());
        release.countDown();
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("op", "hog"), order);
    }

    @Test
    public void aWaitingRunOfAnotherScriptIsNotHeldBehindAScriptAtItsShare() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(3, 10, 1, 10, 0));
        CountDownLatch hog = blocking("hog", ExecutionTrigger.SCHEDULE);
        assertTrue(hog.await(5, TimeUnit.SECONDS));
        blocking("hog", ExecutionTrigger.SCHEDULE); // waits: hog is at its share of 1
        assertEquals(1, gate.queued());
        assertTrue(blocking("other", ExecutionTrigger.SCHEDULE).await(5, TimeUnit.SECONDS));
    }

    @Test
    public void raisedBoundsStartWaitingRuns() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(1, 10, 1, 10, 0));
        assertTrue(blocking("a", ExecutionTrigger.SCHEDULE).await(5, TimeUnit.SECONDS));
        CountDownLatch waiting = blocking("b", ExecutionTrigger.SCHEDULE);
        assertEquals(1, gate.queued());
        gate.resize(new ExecutionCapacity(2, 10, 1, 10, 0));
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        assertEquals(0, gate.queued());
    }

    @Test
    public void aFinishedRunFreesItsSlotForTheNextWaitingOne() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(1, 10, 1, 10, 0));
        CountDownLatch done = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            try {
                gate.submit("s" + (i % 3), ExecutionTrigger.SCHEDULE, done::countDown);
            } catch (ScriptException busy) {
                done.countDown(); // more than 10 waiting at a moment: refused, as it should be
            }
        }
        assertTrue(done.await(5, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (gate.active() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, gate.active());
        assertEquals(0, gate.queued());
    }
}
