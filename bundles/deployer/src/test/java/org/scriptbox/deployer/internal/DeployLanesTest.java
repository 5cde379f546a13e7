package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/** FINDINGS F8: one script's slow deploy holds only its own later versions, never other scripts. */
public class DeployLanesTest {
    @Test(timeout = 20_000)
    public void aSlowDeployHoldsOnlyItsOwnLane() throws Exception {
        DeployLanes lanes = DeployLanes.threads(2);
        CountDownLatch slowMayEnd = new CountDownLatch(1);
        CountDownLatch quickDone = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        lanes.submit("slow", () -> {
            try {
                slowMayEnd.await();   // a 29 s compile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            order.add("slow v1");
        });
        lanes.submit("slow", () -> order.add("slow v2"));
        lanes.submit("quick", () -> {
            order.add("quick");
            quickDone.countDown();
        });
        assertTrue("another script deploys while the slow one compiles", quickDone.await(10, TimeUnit.SECONDS));
        slowMayEnd.countDown();
        lanes.drain("slow");
        assertEquals("one name's versions in the order handed over", List.of("quick", "slow v1", "slow v2"), order);
        lanes.close(1000);
    }

    /**
     * Red-team R16: eight 750 KB files that each compile for the 2 s CPU bound, then a one-line script: the lanes' two
     * threads took the eight first, in arrival order, and the small script went live 33 s later (load 7-11). Waiting
     * work is taken smallest first, so a small script waits at most for the compiles already running.
     */
    @Test(timeout = 20_000)
    public void smallDeploysGoAheadOfLargeOnesWaiting() throws Exception {
        DeployLanes lanes = DeployLanes.threads(1);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch mayEnd = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        lanes.submit("big0", 750_000, () -> {
            running.countDown();
            try {
                mayEnd.await();   // the compile in flight
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            order.add("big0");
        });
        assertTrue(running.await(10, TimeUnit.SECONDS));
        for (int i = 1; i <= 5; i++) {
            String name = "big" + i;
            lanes.submit(name, 750_000, () -> order.add(name));
        }
        lanes.submit("quick", 20, () -> order.add("quick"));
        lanes.submit("gone", 0, () -> order.add("gone"));   // an undeploy costs nothing
        mayEnd.countDown();
        for (String n : List.of("big1", "big2", "big3", "big4", "big5", "quick", "gone")) {
            lanes.drain(n);
        }
        assertEquals(order.toString(), List.of("big0", "gone", "quick"), order.subList(0, 3));
        assertEquals("equal sizes keep their arrival order", List.of("big1", "big2", "big3", "big4", "big5"),
                order.subList(3, 8));
        lanes.close(1000);
    }
}
