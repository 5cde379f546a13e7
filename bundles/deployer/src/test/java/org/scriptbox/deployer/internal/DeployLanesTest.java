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
}
