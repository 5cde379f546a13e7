package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Test;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.fleet.FleetMessage;

import com.fasterxml.jackson.databind.JsonNode;

/** Issue 18.2: what the opt-in telemetry publishes, how often, and that a slow device holds one read at most. */
public class TelemetrySamplerTest {
    private final List<FleetMessage> sent = new CopyOnWriteArrayList<>();
    private TelemetrySampler sampler;

    @After
    public void stop() {
        if (sampler != null) {
            sampler.close();
        }
    }

    @Test
    public void entriesAreCheckedAndBounded() {
        assertTrue(TelemetrySampler.Spec.parse(List.of()).off());
        TelemetrySampler.Spec s = TelemetrySampler.Spec.parse(List.of("sim-1/temperature", "sim-1/voltage", "sim-2/*", "sim-2/x"));
        assertEquals(Map.of("sim-1", List.of("temperature", "voltage"), "sim-2", List.of("*")), s.channels());
        for (String bad : List.of("sim-1", "/x", "sim 1/x", "sim-1/a/b", "../x/y")) {
            try {
                TelemetrySampler.Spec.parse(List.of(bad));
                fail(bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("telemetry.channels: '"));
            }
        }
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 65; i++) {
            many.add("d/c" + i);
        }
        try {
            TelemetrySampler.Spec.parse(many);
            fail("65 channels");
        } catch (IllegalArgumentException e) {
            assertEquals("telemetry.channels: 65 entries; at most 64", e.getMessage());
        }
    }

    @Test
    public void oneMessagePerDeviceAndIntervalWithValuesAndErrors() throws Exception {
        FakeDevice d = new FakeDevice("sim-1", Map.of("temperature", ChannelValue.of(21.5), "voltage", ChannelValue.failed("no answer")));
        sampler = new TelemetrySampler(TelemetrySampler.Spec.parse(List.of("sim-1/*", "gone/x")), 100, "plant", "gw1",
                id -> id.equals("sim-1") ? Optional.of(d) : Optional.empty(), sent::add).start();
        until(() -> sent.size() >= 5, Duration.ofSeconds(5));
        FleetMessage m = sent.get(0);
        assertEquals("scriptbox/plant/gw1/telemetry/sim-1", m.topic());
        assertTrue(!m.retained());
        JsonNode o = PackageCodec.JSON.readTree(m.payload());
        assertEquals(21.5, o.path("values").path("temperature").asDouble(), 0);
        assertEquals("no answer", o.path("values").path("voltage").path("error").asText());
        long t0 = System.nanoTime();
        int n0 = sent.size();
        Thread.sleep(1000);   // measuring a rate: the window is the measurement, not a synchronisation
        int n = sent.size() - n0;
        assertTrue(n + " messages in " + (System.nanoTime() - t0) / 1_000_000 + " ms at one per 100 ms", n >= 5 && n <= 11);
        assertTrue("only the device that is there", sent.stream().allMatch(x -> x.topic().endsWith("/sim-1")));
    }

    @Test
    public void atMost64ChannelsInAllAlsoWithStars() throws Exception {
        Map<String, ChannelValue> forty = new java.util.HashMap<>();
        for (int i = 0; i < 40; i++) {
            forty.put("c" + (100 + i), ChannelValue.of(i));
        }
        FakeDevice a = new FakeDevice("a", forty);
        FakeDevice b = new FakeDevice("b", forty);
        sampler = new TelemetrySampler(TelemetrySampler.Spec.parse(List.of("a/*", "b/*")), 100, "plant", "gw1",
                id -> Optional.of(id.equals("a") ? a : b), sent::add).start();
        until(() -> sent.stream().anyMatch(x -> x.topic().endsWith("/b")), Duration.ofSeconds(5));
        int total = 0;
        for (String d : List.of("/a", "/b")) {
            FleetMessage m = sent.stream().filter(x -> x.topic().endsWith(d)).findFirst().orElseThrow();
            total += PackageCodec.JSON.readTree(m.payload()).path("values").size();
        }
        assertEquals(64, total);
        assertTrue("bounded size", sent.stream().allMatch(x -> x.payload().length < 8192));
    }

    @Test
    public void aDeviceThatDoesNotAnswerHasOneReadWaitingAndOthersGoOn() throws Exception {
        FakeDevice slow = new FakeDevice("slow", Map.of());
        slow.hold = new Deferred<>();
        FakeDevice fast = new FakeDevice("fast", Map.of("a", ChannelValue.of(1)));
        sampler = new TelemetrySampler(TelemetrySampler.Spec.parse(List.of("slow/a", "fast/a")), 100, "plant", "gw1",
                id -> Optional.of(id.equals("slow") ? slow : fast), sent::add).start();
        until(() -> sent.size() >= 5, Duration.ofSeconds(5));
        assertEquals("one read of the slow device, not one per round", 1, slow.reads.get());
        assertTrue(sent.stream().allMatch(x -> x.topic().endsWith("/fast")));
        slow.hold.resolve(Map.of("a", ChannelValue.of(7)));
        until(() -> sent.stream().anyMatch(x -> x.topic().endsWith("/slow")), Duration.ofSeconds(5));
        until(() -> slow.reads.get() >= 2, Duration.ofSeconds(5));   // sampled again once answered
    }

    private static void until(BooleanSupplier c, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + bound);
            }
            Thread.sleep(10);
        }
    }

    private static final class FakeDevice implements Device {
        final String id;
        final Map<String, ChannelValue> values;
        final AtomicInteger reads = new AtomicInteger();
        volatile Deferred<Map<String, ChannelValue>> hold;

        FakeDevice(String id, Map<String, ChannelValue> values) {
            this.id = id;
            this.values = values;
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
        public Map<String, org.scriptbox.api.device.ChannelInfo> channels() {
            Map<String, org.scriptbox.api.device.ChannelInfo> m = new java.util.LinkedHashMap<>();
            new java.util.TreeSet<>(values.keySet()).forEach(k -> m.put(k, null));
            return m;
        }

        @Override
        public Promise<DeviceStatus> status() {
            return Promises.resolved(null);
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
            reads.incrementAndGet();
            Deferred<Map<String, ChannelValue>> h = hold;
            return h != null ? h.getPromise() : Promises.resolved(values);
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
