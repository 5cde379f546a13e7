package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.osgi.framework.Constants;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceDirectory;

/** The one device tracker: its id rule, shadowing, in-place id changes, and what listeners are told when. */
public class DeviceRegistryTest {
    private final DeviceRegistry registry = new DeviceRegistry();
    private final List<Set<String>> told = Collections.synchronizedList(new ArrayList<>());

    private static Map<String, Object> props(long serviceId, String id) {
        Map<String, Object> p = new HashMap<>();
        p.put(Constants.SERVICE_ID, serviceId);
        if (id != null) {
            p.put(Device.DEVICE_ID, id);
        }
        p.put(Device.DEVICE_TYPE, "fake");
        return p;
    }

    @Test
    public void theIdIsTheServicePropertyElseTheDevicesOwnId() {
        registry.addDevice(new FakeDevice("own-a"), props(1, "prop-a"));
        registry.addDevice(new FakeDevice("own-b"), props(2, null));
        registry.addDevice(new FakeDevice("own-c"), props(3, ""));
        assertEquals(List.of("own-b", "own-c", "prop-a"), List.copyOf(registry.ids()));
        assertTrue(registry.find("prop-a").isPresent());
        assertTrue("only one rule: the driver's own id of a device with a property is not an id",
                registry.find("own-a").isEmpty());
    }

    @Test
    public void aDeviceWithoutAnyIdIsIgnored() {
        registry.addDevice(new FakeDevice(""), props(1, null));
        assertTrue(registry.ids().isEmpty());
    }

    @Test
    public void theFirstRegistrationOwnsTheIdAndTheShadowedOneStepsInWithoutAChangeOfTheSet() {
        registry.addListener(told::add);
        FakeDevice first = new FakeDevice("dup");
        FakeDevice second = new FakeDevice("dup");
        FakeDevice third = new FakeDevice("dup");
        registry.addDevice(first, props(1, "dup"));
        registry.addDevice(second, props(2, "dup"));
        registry.addDevice(third, props(3, "dup"));
        assertSame(first, registry.get("dup"));
        registry.removeDevice(first, props(1, "dup"));
        assertSame("the earliest shadowed registration steps in", second, registry.get("dup"));
        registry.removeDevice(second, props(2, "dup"));
        assertSame(third, registry.get("dup"));
        registry.removeDevice(third, props(3, "dup"));
        assertNull(registry.get("dup"));
        assertEquals("told: the empty start, dup present, dup gone; owner changes behind it are no change",
                List.of(Set.of(), Set.of("dup"), Set.of()), told);
    }

    @Test
    public void aShadowedRegistrationLeavingChangesNothing() {
        FakeDevice first = new FakeDevice("dup");
        FakeDevice second = new FakeDevice("dup");
        registry.addDevice(first, props(1, "dup"));
        registry.addDevice(second, props(2, "dup"));
        registry.removeDevice(second, props(2, "dup"));
        assertSame(first, registry.get("dup"));
        registry.removeDevice(first, props(1, "dup"));
        assertNull("the shadowed one left before: nothing steps in", registry.get("dup"));
    }

    @Test
    public void oneObjectRegisteredTwiceUnderTwoIdsIsTwoRegistrations() {
        FakeDevice d = new FakeDevice("x");
        registry.addDevice(d, props(1, "a"));
        registry.addDevice(d, props(2, "b"));
        assertEquals(List.of("a", "b"), List.copyOf(registry.ids()));
        registry.removeDevice(d, props(1, "a"));
        assertEquals(List.of("b"), List.copyOf(registry.ids()));
    }

    @Test
    public void anIdChangedInPlaceMovesTheRegistrationAndLetsTheShadowedOneIn() {
        registry.addListener(told::add);
        FakeDevice first = new FakeDevice("x");
        FakeDevice second = new FakeDevice("x");
        registry.addDevice(first, props(1, "a"));
        registry.addDevice(second, props(2, "a"));
        registry.updatedDevice(first, props(1, "b"));
        assertSame(second, registry.get("a"));
        assertSame(first, registry.get("b"));
        registry.updatedDevice(first, props(1, "b"));   // other properties changed: no change
        // the removal carries the new properties; the registration is found by its key, not its old id
        registry.removeDevice(first, props(1, "b"));
        assertNull(registry.get("b"));
        assertSame(second, registry.get("a"));
        assertEquals(List.of(Set.of(), Set.of("a"), Set.of("a", "b"), Set.of("a")), told);
    }

    @Test
    public void aListenerIsToldTheCurrentSetWhenBoundAndEmptyWhenTheDirectoryLeaves() {
        registry.addDevice(new FakeDevice("a"), props(1, "a"));
        registry.addListener(told::add);
        registry.deactivate();
        registry.addDevice(new FakeDevice("b"), props(2, "b"));
        assertEquals(List.of(Set.of("a"), Set.of()), told);
    }

    @Test
    public void aFailingListenerKeepsNeitherTheOthersNorTheDriverFromGoingOn() {
        registry.addListener(present -> {
            throw new IllegalStateException("broken listener");
        });
        registry.addListener(told::add);
        registry.addDevice(new FakeDevice("a"), props(1, "a"));
        assertEquals(List.of(Set.of(), Set.of("a")), told);
        assertTrue(registry.find("a").isPresent());
    }

    /**
     * Drivers binding and unbinding on many threads: every listener call finds each id it is told of (the
     * race the old registry papered over with a getService it never released), the calls never overlap, and
     * the last one told is the final set.
     */
    @Test
    public void underConcurrentBindsListenersHearEveryChangeInOrderAndCanAlwaysFindWhatIsPresent() throws Exception {
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        int[] inside = new int[1];
        DeviceDirectory.Listener checking = present -> {
            synchronized (inside) {
                if (++inside[0] != 1) {
                    problems.add("two calls at once");
                }
            }
            for (String id : present) {
                if (registry.find(id).isEmpty()) {
                    problems.add("told " + id + " present but find() misses it");
                }
            }
            told.add(present);
            synchronized (inside) {
                inside[0]--;
            }
        };
        registry.addListener(checking);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 500; i++) {
                    long serviceId = thread * 1000L + i;
                    String id = "d" + (i % 7);   // ids shared across threads: owners, shadows and steps-in all happen
                    FakeDevice d = new FakeDevice(id);
                    registry.addDevice(d, props(serviceId, id));
                    if (i % 3 != 0) {
                        registry.removeDevice(d, props(serviceId, id));
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(List.of(), problems);
        assertEquals(registry.ids(), told.get(told.size() - 1));
        for (String id : registry.ids()) {
            if (registry.get(id) == null) {
                fail(id);
            }
        }
    }

    @Test
    public void twoThousandDevicesComeAndGo() {
        registry.addListener(told::add);
        List<FakeDevice> devices = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            FakeDevice d = new FakeDevice("dev-" + i);
            devices.add(d);
            registry.addDevice(d, props(i, d.id()));
        }
        assertEquals(2000, registry.ids().size());
        assertEquals(2001, told.size());
        for (int i = 0; i < 2000; i++) {
            registry.removeDevice(devices.get(i), props(i, devices.get(i).id()));
        }
        assertTrue(registry.ids().isEmpty());
        assertEquals(Set.of(), told.get(told.size() - 1));
    }
}
