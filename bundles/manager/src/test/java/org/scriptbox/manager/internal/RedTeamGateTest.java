package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionTrigger;
import org.scriptbox.api.ScriptException;

/** Red-team cases for issue 11 class 7 (fair share of execution capacity) beyond ExecutionGateTest. */
public class RedTeamGateTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private ExecutionGate gate;

    @After
    public void tearDown() {
        release.countDown();
        if (gate != null) {
            gate.shutdown();
        }
    }

    private CountDownLatch blocking(String script, ExecutionTrigger trigger) {
        CountDownLatch s = new CountDownLatch(1);
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

    private int flood(String script, int n) {
        int refused = 0;
        for (int i = 0; i < n; i++) {
            try {
                blocking(script, ExecutionTrigger.SCHEDULE);
            } catch (ScriptException e) {
                assertEquals(ErrorKind.BUSY, e.kind());
                refused++;
            }
        }
        return refused;
    }

    @Test
    public void oneScriptWithManyTriggersStillHasOneShare() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(10, 100, 5, 20, 1));
        // cron, interval and once triggers of one script all submit under its name: one share
        assertEquals(200 - 25, flood("hog", 200));
        CountDownLatch other = blocking("estop", ExecutionTrigger.SCHEDULE);
        assertTrue(other.await(5, TimeUnit.SECONDS));
        CountDownLatch operator = blocking("hog", ExecutionTrigger.OPERATOR);
        assertTrue("an operator run of the hog itself still gets a slot", operator.await(5, TimeUnit.SECONDS));
    }

    @Test
    public void namesDifferingOnlyInCaseOrLookalikesAreSeparateScriptsNotOneShare() throws Exception {
        // not a bypass by itself: each name is a deployed script of its own (ScriptNames allows [A-Za-z0-9_.-])
        gate = new ExecutionGate(new ExecutionCapacity(10, 100, 5, 20, 1));
        flood("hog", 25);
        flood("HOG", 25);
        assertEquals(7, gate.active());   // 5 + 2: two slots kept for scripts with none running, the operator's free
        CountDownLatch operator = blocking("x", ExecutionTrigger.OPERATOR);
        assertTrue(operator.await(5, TimeUnit.SECONDS));
    }

    /**
     * Was a hole: the share is per script, so two scripts (one author, two files) took every slot that is
     * not the operators' reserve (5 + 4 of 9), and five scripts every queue place (5 x 20 = 100). Now two
     * scheduled slots (a quarter of 9) and ten queue places are kept for scripts with nothing running
     * (nothing waiting), so two or three hogs leave a third script a slot at once.
     */
    @Test
    public void twoHogsDoNotStarveAThirdScript() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(10, 100, 5, 20, 1));
        flood("hogA", 25);
        flood("hogB", 25);
        CountDownLatch estop = blocking("estop", ExecutionTrigger.SCHEDULE);
        assertTrue("the e-stop script's run did not start", estop.await(2, TimeUnit.SECONDS));
    }

    @Test
    public void threeHogsStillLeaveAFourthScriptASlot() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(10, 100, 5, 20, 1));
        flood("hogA", 25);
        flood("hogB", 25);
        flood("hogC", 25);
        assertEquals(8, gate.active()); // 5 + 2 + 1: hogC's only run took a kept slot, one is left
        assertTrue(blocking("estop", ExecutionTrigger.SCHEDULE).await(2, TimeUnit.SECONDS));
        assertTrue(blocking("hogD", ExecutionTrigger.OPERATOR).await(2, TimeUnit.SECONDS)); // the operators' slot
    }

    /** Five hogs used to take all 100 queue places (5 x 20); ten are kept for scripts with none waiting. */
    @Test
    public void fiveHogsDoNotTakeEveryQueuePlace() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(10, 100, 5, 20, 1));
        for (String hog : new String[] {"h1", "h2", "h3", "h4", "h5", "h6"}) {
            flood(hog, 30);
        }
        assertTrue(gate.queued() + " waiting", gate.queued() <= 91);
        blocking("estop", ExecutionTrigger.SCHEDULE); // waits (every slot taken) instead of being refused
        assertTrue(gate.queued() + " waiting", gate.queued() <= 92);
    }

    /**
     * N hogs (more scripts than slots) each keep runs going: whenever a slot frees, the script with the
     * fewest runs going starts next, so another script's run waits for at most the scripts ahead of it
     * in line with as few runs, never behind a hog's second run.
     */
    @Test
    public void withManyHogsEveryScriptGetsATurnBeforeAnyGetsAnother() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(10, 100, 5, 20, 1));
        java.util.List<String> starts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.Semaphore finish = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        int hogs = 12;
        for (int round = 0; round < 6; round++) {
            for (int h = 0; h < hogs; h++) {
                String name = "hog" + h;
                try {
                    gate.submit(name, ExecutionTrigger.SCHEDULE, () -> {
                        starts.add(name);
                        finish.acquireUninterruptibly();
                    });
                } catch (ScriptException e) {
                    refused.incrementAndGet();
                }
            }
        }
        waitFor(() -> gate.active() == 9 && starts.size() == 9);
        java.util.List<String> first = new java.util.ArrayList<>(starts);
        gate.submit("estop", ExecutionTrigger.SCHEDULE, () -> starts.add("estop"));
        // every hog with no run going yet is ahead of the e-stop script; none of the hogs running already is
        java.util.Set<String> without = new java.util.TreeSet<>();
        for (int h = 0; h < hogs; h++) {
            if (!first.contains("hog" + h)) {
                without.add("hog" + h);
            }
        }
        // one slot freed at a time, and its next run seen started before the next: a run records itself on its own
        // thread, so with all freed at once a late thread's name could land after the e-stop's (seen at load 10+)
        for (int freed = 0; !starts.contains("estop") && freed <= hogs; freed++) {
            int before = starts.size();
            finish.release(1);
            waitFor(() -> starts.size() > before);
        }
        java.util.List<String> next = new java.util.ArrayList<>(starts.subList(first.size(), starts.indexOf("estop")));
        assertEquals("started before the e-stop script: " + next, without, new java.util.TreeSet<>(next));
        finish.release(1000);
    }

    private int floodOperator(String script, int n) {
        int refused = 0;
        for (int i = 0; i < n; i++) {
            try {
                blocking(script, ExecutionTrigger.OPERATOR);
            } catch (ScriptException e) {
                assertEquals(ErrorKind.BUSY, e.kind());
                refused++;
            }
        }
        return refused;
    }

    /**
     * C2 (session 6): operator runs had no share. A client looping {@code POST /api/v1/scripts/hog/run} (each an
     * OPERATOR run, 30 s long) took all 10 slots and, jumping the queue, all 100 places: every scheduled script,
     * an e-stop script included, waited for as long as the client kept asking, and other operators' runs
     * were refused BUSY. One script's runs now hold at most 8 of the 10 slots and 90 of the 100 places.
     */
    @Test
    public void oneScriptsOperatorRunsLeaveSlotsForSchedulesAndOtherOperators() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(10, 100, 5, 20, 1));
        assertEquals(200 - 8 - 90, floodOperator("hog", 200));
        assertEquals(8, gate.active());
        assertTrue("the e-stop script's run did not start", blocking("estop", ExecutionTrigger.SCHEDULE).await(2, TimeUnit.SECONDS));
        assertTrue("another operator's run did not start",
                blocking("inspect", ExecutionTrigger.OPERATOR).await(2, TimeUnit.SECONDS));
        assertEquals(10, gate.active());
        // every slot is taken now: another operator's run still gets a queue place the hog could not take
        CountDownLatch waiting = blocking("report", ExecutionTrigger.OPERATOR);
        assertEquals(91, gate.queued());
        assertEquals(1, waiting.getCount());
    }

    /** The operators' line is first come first served among runs that may start, not blocked by the hog at its head. */
    @Test
    public void aWaitingOperatorRunOfAnotherScriptIsNotHeldBehindTheHogsOperatorRuns() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(10, 100, 5, 20, 1));
        floodOperator("hog", 8 + 20);                 // 8 running, 20 waiting at the head of the operators' line
        CountDownLatch leave = new CountDownLatch(1);
        CountDownLatch left = new CountDownLatch(1);
        gate.submit("x", ExecutionTrigger.OPERATOR, () -> {
            try {
                leave.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            left.countDown();
        });
        blocking("y", ExecutionTrigger.OPERATOR);
        assertEquals(10, gate.active());
        CountDownLatch report = blocking("report", ExecutionTrigger.OPERATOR);
        assertEquals(21, gate.queued());
        leave.countDown();                            // x's slot frees: the hog may not take it, report may
        assertTrue("the report run waited behind the hog's runs", report.await(5, TimeUnit.SECONDS));
        assertTrue(left.await(5, TimeUnit.SECONDS));
        assertEquals(20, gate.queued());
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue("condition not reached within 10 s", System.nanoTime() < deadline);
            Thread.sleep(1);
        }
    }
}
