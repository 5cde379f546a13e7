package org.scriptbox.fleet.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.api.fleet.FleetTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Opt-in telemetry: every {@code interval} the configured channels of each configured device are read and
 * published as one message per device on {@code scriptbox/<fleet>/<gateway>/telemetry/<device>} (not retained;
 * dropped, not queued, while offline). On its own thread: a read is asked of the device and answered on the
 * device's thread, which only hands the values over; a device whose previous read is still unanswered is
 * skipped that round, so a slow device never has more than one telemetry read waiting and scripts' commands
 * queue behind at most that one. At most {@link #MAX_CHANNELS} channels in all.
 */
final class TelemetrySampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetrySampler.class);
    static final int MAX_CHANNELS = 64;
    static final long MIN_INTERVAL_MS = 1000;
    static final String LEAF = "telemetry";

    /** Which channels of which device; {@code *} for all of its channels. Immutable. */
    record Spec(Map<String, List<String>> channels) {
        Spec {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            channels.forEach((d, c) -> copy.put(d, List.copyOf(c)));
            channels = Collections.unmodifiableMap(copy);
        }

        boolean off() {
            return channels.isEmpty();
        }

        /**
         * {@code device/channel} or {@code device/*} entries.
         *
         * @throws IllegalArgumentException naming the bad entry
         */
        static Spec parse(List<String> entries) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            int count = 0;
            for (String e : entries) {
                int slash = e.indexOf('/');
                String device = slash < 0 ? "" : e.substring(0, slash).trim();
                String channel = slash < 0 ? "" : e.substring(slash + 1).trim();
                if (!FleetTopics.validId(device) || !(channel.equals("*") || FleetTopics.validId(channel))) {
                    throw new IllegalArgumentException("telemetry.channels: '" + Texts.clip(e)
                            + "' is not device/channel or device/* (ids: letters, digits, _ . -)");
                }
                List<String> list = out.computeIfAbsent(device, k -> new ArrayList<>());
                if (!list.contains(channel) && !list.contains("*")) {
                    if (channel.equals("*")) {
                        list.clear();
                    }
                    list.add(channel);
                    count++;
                }
            }
            if (count > MAX_CHANNELS) {
                throw new IllegalArgumentException("telemetry.channels: " + count + " entries; at most " + MAX_CHANNELS);
            }
            return new Spec(out);
        }
    }

    private final Spec spec;
    private final long intervalMs;
    private final String fleet;
    private final String gateway;
    private final Function<String, Optional<Device>> devices;
    private final Consumer<FleetMessage> publisher;
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();   // devices with a read unanswered
    private final Set<String> reported = ConcurrentHashMap.newKeySet();  // one INFO line per missing device
    private final ScheduledExecutorService thread;

    TelemetrySampler(Spec spec, long intervalMs, String fleet, String gateway, Function<String, Optional<Device>> devices,
                     Consumer<FleetMessage> publisher) {
        this.spec = spec;
        this.intervalMs = intervalMs;
        this.fleet = fleet;
        this.gateway = gateway;
        this.devices = devices;
        this.publisher = publisher;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-telemetry " + gateway);
            t.setDaemon(true);
            return t;
        });
    }

    TelemetrySampler start() {
        thread.scheduleWithFixedDelay(this::sample, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        LOG.info("fleet: telemetry of {} every {} ms on {}", spec.channels(), intervalMs,
                FleetTopics.gateway(fleet, gateway, LEAF) + "/<device>");
        return this;
    }

    private void sample() {
        int left = MAX_CHANNELS;   // in all, also when device/* entries name devices with many channels
        for (Map.Entry<String, List<String>> e : spec.channels().entrySet()) {
            if (left <= 0) {
                if (reported.add("*limit")) {
                    LOG.warn("fleet: telemetry: more than {} channels in all; the rest are not sampled", MAX_CHANNELS);
                }
                break;
            }
            try {
                left -= sample(e.getKey(), e.getValue(), left);
            } catch (RuntimeException x) {   // a driver's bug must not end the sampling of the others
                waiting.remove(e.getKey());
                LOG.warn("fleet: telemetry of device {} failed: {}", e.getKey(), PahoLink.reason(x));
            }
        }
    }

    /** @return how many channels were asked for */
    private int sample(String id, List<String> wanted, int left) {
        Optional<Device> device = devices.apply(id);
        if (device.isEmpty()) {
            if (reported.add(id)) {
                LOG.info("fleet: telemetry: no device '{}' (yet); sampled when it is there", id);
            }
            return 0;
        }
        reported.remove(id);
        Device d = device.get();
        List<String> channels = wanted.contains("*") ? new ArrayList<>(d.channels().keySet()) : wanted;
        if (channels.size() > left) {
            channels = channels.subList(0, left);
        }
        if (!waiting.add(id)) {
            return channels.size();   // the previous read is still unanswered: skip this round
        }
        Instant at = Instant.now();
        Promise<Map<String, ChannelValue>> read = d.readTelemetry(channels,
                CallContext.within(TimeUnit.MILLISECONDS.toNanos(Math.max(100, intervalMs / 2))));
        List<String> asked = channels;
        // on the device's thread: hand over only
        read.onResolve(() -> {
            try {
                thread.execute(() -> publish(id, asked, at, read));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // closed meanwhile: nothing to publish
            }
        });
        return channels.size();
    }

    // telemetry thread
    private void publish(String id, List<String> channels, Instant at, Promise<Map<String, ChannelValue>> read) {
        waiting.remove(id);
        ObjectNode o = PackageCodec.JSON.createObjectNode().put("device", id).put("at", at.toString());
        ObjectNode values = o.putObject("values");
        try {
            Throwable failure = read.getFailure();
            if (failure != null) {
                o.put("error", Texts.clip(PahoLink.reason(failure)));
            } else {
                Map<String, ChannelValue> v = read.getValue();
                for (String c : channels) {
                    ChannelValue cv = v.get(c);
                    if (cv == null) {
                        values.putObject(c).put("error", "not read");
                    } else if (cv.ok() && Double.isFinite(cv.value())) {
                        values.put(c, cv.value());
                    } else {
                        values.putObject(c).put("error", Texts.clip(cv.ok() ? "not a finite number" : cv.message()));
                    }
                }
            }
        } catch (Exception e) {   // resolved already: neither waits nor fails
            o.put("error", "not read");
        }
        publisher.accept(FleetMessage.of(FleetTopics.gateway(fleet, gateway, LEAF) + "/" + id, o.toString(), false));
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
