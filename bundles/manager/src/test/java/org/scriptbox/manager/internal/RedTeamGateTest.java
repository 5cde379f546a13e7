package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Ignore;
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
        assertEquals(9, gate.active());   // the operator's slot is still free
        CountDownLatch operator = blocking("x", ExecutionTrigger.OPERATOR);
        assertTrue(operator.await(5, TimeUnit.SECONDS));
    }

    /**
     * HOLE (left open, design): the share is per script, so two scripts (one author, two files) take
     * every slot that is not the operators' reserve (5 + 4 of 9), and five scripts take every queue
     * place (5 x 20 = 100): an e-stop script's scheduled run then waits for a hog's run to end, or is
     * refused BUSY. docs/engine.md states the per-script bound correctly ("at most 5 of the 10 slots"),
     * but "every other script unaffected" holds only against one hog. Closing it needs a slot kept for
     * scripts that have none running (e.g. a scheduled run of a script with 0 running may take a slot
     * while fewer than maxConcurrent - operatorReserve + N are running) or a smaller default share.
     */
    @Ignore("per-script share: two hogs take all non-reserved slots, five all queue places; see the comment")
    @Test
    public void twoHogsDoNotStarveAThirdScript() throws Exception {
        gate = new ExecutionGate(new ExecutionCapacity(10, 100, 5, 20, 1));
        flood("hogA", 25);
        flood("hogB", 25);
        CountDownLatch estop = blocking("estop", ExecutionTrigger.SCHEDULE);
        assertTrue("the e-stop script's run did not start", estop.await(2, TimeUnit.SECONDS));
    }
}
