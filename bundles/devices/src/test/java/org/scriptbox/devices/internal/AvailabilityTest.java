package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.engine.ScriptCallException;

/** Drivers that leave, fail or go silent give clear errors, never a hang. */
public class AvailabilityTest {
    private final Fixture f = new Fixture();
    private final TestScope scope = TestScope.all("s");

    @Test
    public void deviceGoneBetweenCalls() {
        FakeDevice d = FakeDevice.register(f.registry, "dev-1");
        f.call(scope, "device_get_status", "dev-1");
        d.unregister(f.registry);
        f.assertFails(ErrorKind.DEVICE, "device unavailable: no device 'dev-1'", scope,
                "device_get_status", "dev-1");
        f.assertFails(ErrorKind.DEVICE, "device unavailable: no device is connected", scope, "device_get_status");
    }

    @Test
    public void silentDriverTimesOut() {
        FakeDevice d = FakeDevice.register(f.registry, "dev-1");
        d.mode = FakeDevice.Mode.NEVER;
        long start = System.nanoTime();
        f.assertFails(ErrorKind.DEVICE, "outcome unknown: 'dev-1' did not confirm within 200 ms", scope,
                "device_set_motor_speed", 0.0, 5.0);
        assertTrue("the driver is told the caller gave up, so it withdraws an unsent request",
                d.lastContext.withdrawn());
        f.assertFails(ErrorKind.DEVICE, "device unavailable: 'dev-1' did not answer within 200 ms", scope,
                "device_get_status");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    public void lostLinkIsDeviceUnavailable() {
        FakeDevice d = FakeDevice.register(f.registry, "dev-1");
        d.mode = FakeDevice.Mode.FAIL;
        f.assertFails(ErrorKind.DEVICE, "device_get_status: device unavailable: 'dev-1': link lost", scope,
                "device_get_status");
    }

    @Test
    public void driverStoppedMidCall() throws Exception {
        f.api = new DeviceApi(f.registry, f.policy, new DeviceApi.Settings("", 30_000));
        FakeDevice d = FakeDevice.register(f.registry, "dev-1");
        d.mode = FakeDevice.Mode.BY_HAND;
        CompletableFuture<ScriptCallException> call = CompletableFuture.supplyAsync(
                () -> f.failure(scope, "device_set_motor_speed", 0.0, 5.0));
        while (d.pending.isEmpty()) {
            Thread.onSpinWait();   // the call is now waiting for the driver
        }
        d.unregister(f.registry);
        d.stopDriver();
        ScriptCallException e = call.get(5, TimeUnit.SECONDS);
        assertEquals(ErrorKind.DEVICE, e.kind());
        assertEquals("device_set_motor_speed: outcome unknown: 'dev-1': driver stopped (the device may have applied it)",
                e.getMessage());
    }

    @Test
    public void cancelEndsTheWaitAtOnce() throws Exception {
        f.api = new DeviceApi(f.registry, f.policy, new DeviceApi.Settings("", 30_000));
        FakeDevice d = FakeDevice.register(f.registry, "dev-1");
        d.mode = FakeDevice.Mode.NEVER;
        CompletableFuture<ScriptCallException> call = CompletableFuture.supplyAsync(
                () -> f.failure(scope, "device_get_status"));
        while (d.commands.isEmpty()) {
            Thread.onSpinWait();
        }
        scope.cancellation.cancel("stop");
        assertEquals(ErrorKind.CANCELLED, call.get(5, TimeUnit.SECONDS).kind());
    }

    @Test
    public void defaultDeviceChoice() {
        FakeDevice a = FakeDevice.register(f.registry, "a");
        f.call(scope, "device_set_motor_speed", 0.0, 1.0);
        assertEquals(1, a.commands.size());
        FakeDevice.register(f.registry, "b");
        f.assertFails(ErrorKind.DEVICE, "several devices (a, b): pass a device id", scope, "device_get_status");
        f.api = new DeviceApi(f.registry, f.policy, new DeviceApi.Settings("b", 200));
        assertEquals("b", ((java.util.Map<?, ?>) f.call(scope, "device_get_status")).get("device_id"));
        f.api = new DeviceApi(f.registry, f.policy, new DeviceApi.Settings("c", 200));
        f.assertFails(ErrorKind.DEVICE, "device unavailable: default device 'c' is not available", scope,
                "device_get_status");
    }

    @Test
    public void sleepEndsAtOnceOnCancel() throws Exception {
        CompletableFuture<ScriptCallException> call = CompletableFuture.supplyAsync(() -> f.failure(scope, "sleep", 10.0));
        while (scope.slept.isEmpty()) {
            Thread.onSpinWait();
        }
        long start = System.nanoTime();
        scope.cancellation.cancel("undeploy");
        assertEquals(ErrorKind.CANCELLED, call.get(5, TimeUnit.SECONDS).kind());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    public void secondDeviceWithTheSameIdStepsInWhenTheFirstLeaves() {
        FakeDevice first = FakeDevice.register(f.registry, "dup");
        FakeDevice second = FakeDevice.register(f.registry, "dup");
        f.call(scope, "device_get_status", "dup");
        assertEquals(1, first.commands.size());
        first.unregister(f.registry);
        f.call(scope, "device_get_status", "dup");
        assertEquals(1, second.commands.size());
    }
}
