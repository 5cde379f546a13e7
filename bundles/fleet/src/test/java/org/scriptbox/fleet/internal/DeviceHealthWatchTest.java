package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.junit.After;
import org.junit.Test;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.DeviceHealth;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.StopReport;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The devices' part of a gateway's health, on a clock of the test's: streaks, the threshold, a hung driver. */
public class DeviceHealthWatchTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final Map<String, FakeDevice> devices = new ConcurrentHashMap<>();
    private final AtomicInteger changes = new AtomicInteger();
    private DeviceHealthWatch watch;

    private DeviceHealthWatch watch(long faultMs) {
        Supplier<SortedSet<String>> ids = () -> new TreeSet<>(devices.keySet());
        watch = new DeviceHealthWatch(ids, id -> Optional.ofNullable(devices.get(id)), 1_000, faultMs, clock::get,
                changes::incrementAndGet, "gw");
        return watch;
    }

    @After
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }

    /** One round, then until its answers are in (they are handed to the watch's thread), but a held one. */
    private void round(DeviceHealthWatch w) throws InterruptedException {
        w.round();
        long held = devices.values().stream().filter(d -> d.hold != null).count();
        await(() -> w.waitingCount() == held);
    }

    @Test
    public void aDeviceFaultedLongerThanTheThresholdDegradesTheGateway() throws Exception {
        FakeDevice pump = device("pump-1", FakeDevice.unreachable("no answer from 10.0.0.7:502"));
        device("valve-1", FakeDevice.good());
        DeviceHealthWatch w = watch(30_000);
        round(w);
        DeviceHealthWatch.Snapshot s = w.snapshot();
        assertEquals(DeviceHealthWatch.DeviceState.Kind.FAULTED, s.devices().get("pump-1").kind());
        assertEquals(DeviceHealthWatch.DeviceState.Kind.OK, s.devices().get("valve-1").kind());
        assertTrue("not yet over the threshold: " + s, s.overThreshold().isEmpty());
        assertEquals("ok", status(w).path("health").asText());

        clock.addAndGet(29 * SECOND);
        round(w);
        assertTrue(w.snapshot().overThreshold().isEmpty());
        int before = changes.get();
        clock.addAndGet(2 * SECOND);
        round(w);
        assertEquals(List.of("pump-1"), w.snapshot().overThreshold().stream().map(DeviceHealthWatch.DeviceState::id).toList());
        assertTrue("the status is published when the threshold is crossed", changes.get() > before);
        ObjectNode st = status(w);
        assertEquals("degraded", st.path("health").asText());
        assertEquals("device pump-1: faulted for 31 s: no answer from 10.0.0.7:502", st.path("problem").asText());
        assertEquals("faulted", st.path("deviceHealth").path("pump-1").path("state").asText());
        assertEquals("ok", st.path("deviceHealth").path("valve-1").path("state").asText());

        pump.next = FakeDevice.good();   // one good probe ends the streak
        round(w);
        assertEquals("ok", status(w).path("health").asText());
        pump.next = FakeDevice.failing("simulated connection failure");
        clock.addAndGet(20 * SECOND);
        round(w);
        clock.addAndGet(20 * SECOND);
        round(w);
        assertTrue("a new streak is 20 s old: " + w.snapshot(), w.snapshot().overThreshold().isEmpty());
    }

    @Test
    public void aProbeThatIsNeverAnsweredIsAFaultAndNoSecondProbeIsAsked() throws Exception {
        FakeDevice hung = device("hung", FakeDevice.good());
        hung.hold = new Deferred<>();
        DeviceHealthWatch w = watch(5_000);
        for (int i = 0; i < 10; i++) {
            round(w);
            clock.addAndGet(SECOND);
        }
        assertEquals("one probe waits at a time", 1, hung.asked.get());
        DeviceHealthWatch.DeviceState s = w.snapshot().devices().get("hung");
        assertEquals(DeviceHealthWatch.DeviceState.Kind.FAULTED, s.kind());
        assertEquals("no status answer within 1000 ms", s.error());
        assertEquals("the streak began when the probe was asked", 1, w.snapshot().overThreshold().size());
    }

    @Test
    public void devicesDoNotCountWhenTheThresholdIsNegativeAndNothingKnownIsNoFault() throws Exception {
        device("down", FakeDevice.failing("simulated connection failure"));
        device("fresh", () -> Promises.resolved(new DeviceStatus(null, DeviceHealth.UNKNOWN, Map.of())));
        DeviceHealthWatch w = watch(-1);
        round(w);
        clock.addAndGet(3_600 * SECOND);
        round(w);
        assertTrue(w.snapshot().overThreshold().isEmpty());
        assertEquals(DeviceHealthWatch.DeviceState.Kind.UNKNOWN, w.snapshot().devices().get("fresh").kind());
        assertEquals("ok", status(w).path("health").asText());
        devices.remove("down");
        round(w);
        assertEquals(Set.of("fresh"), w.snapshot().devices().keySet());
    }

    private ObjectNode status(DeviceHealthWatch w) {
        return StatusReport.status("gw", List.of("g"), List.of(), devices.keySet(), w.snapshot(), clock.get(), java.util.Map.of());
    }

    private FakeDevice device(String id, Supplier<Promise<DeviceStatus>> answer) {
        FakeDevice d = new FakeDevice(id, answer);
        devices.put(id, d);
        return d;
    }

    private static void await(BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 10 s");
            }
            Thread.sleep(5);
        }
    }

    private static final class FakeDevice implements Device {
        final String id;
        volatile Supplier<Promise<DeviceStatus>> next;
        volatile Deferred<DeviceStatus> hold;
        final AtomicInteger asked = new AtomicInteger();

        FakeDevice(String id, Supplier<Promise<DeviceStatus>> next) {
            this.id = id;
            this.next = next;
        }

        static Supplier<Promise<DeviceStatus>> good() {
            return () -> Promises.resolved(new DeviceStatus(null, DeviceHealth.good(Instant.now(), Duration.ofMillis(3)), Map.of()));
        }

        static Supplier<Promise<DeviceStatus>> unreachable(String error) {
            return () -> Promises.resolved(new DeviceStatus(null, new DeviceHealth(false, null, null, error, Instant.now()), Map.of()));
        }

        static Supplier<Promise<DeviceStatus>> failing(String error) {
            return () -> Promises.failed(new DeviceException(error));
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public DeviceInfo info() {
            return null;
        }

        @Override
        public Promise<DeviceStatus> status() {
            asked.incrementAndGet();
            Deferred<DeviceStatus> h = hold;
            return h != null ? h.getPromise() : next.get();
        }

        @Override
        public Promise<Void> setMotorSpeed(int motorId, double speed, CallContext ctx) {
            return Promises.resolved(null);
        }

        @Override
        public Promise<Void> setDigitalOutput(int pin, boolean state, CallContext ctx) {
            return Promises.resolved(null);
        }

        @Override
        public Promise<Map<String, ChannelValue>> readTelemetry(List<String> channels, CallContext ctx) {
            return Promises.resolved(Map.of());
        }

        @Override
        public Promise<StopReport> emergencyStop() {
            return Promises.resolved(null);
        }

        @Override
        public Promise<StopReport> applySafeState(Set<Actuator> touched) {
            return Promises.resolved(null);
        }
    }
}
