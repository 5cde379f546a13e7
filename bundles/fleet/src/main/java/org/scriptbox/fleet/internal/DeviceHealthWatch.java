package org.scriptbox.fleet.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceHealth;
import org.scriptbox.api.device.DeviceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices' part of a gateway's health. A device's status is a promise (the driver asks the device), so the
 * status publisher never waits for one: this watch probes every present device on its own thread every
 * {@code probeMs} (at most one probe waiting per device: a hung driver is asked nothing more) and keeps the last
 * outcome of each as an immutable {@link DeviceState}. A device is faulted while its probes fail: the status
 * cannot be had, it is not answered within the probe timeout, or the driver says the device is not reachable
 * after an exchange. The gateway's health is degraded once a device has been faulted for {@code faultMs} without
 * a good probe in between (a single lost answer on a poor line is not a fault of the gateway).
 * <p>
 * {@code onChange} is called on the watch's thread whenever a device becomes faulted or good again or crosses
 * the threshold, so the status is published then, not only at the next script change.
 */
final class DeviceHealthWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceHealthWatch.class);
    static final long MIN_PROBE_MS = 200;

    /** What the watch knows of one device. Immutable. */
    record DeviceState(String id, Kind kind, long sinceNanos, Instant since, String error) {
        enum Kind { UNKNOWN, OK, FAULTED }

        boolean faultedFor(long nanos, long now) {
            return kind == Kind.FAULTED && now - sinceNanos >= nanos;
        }
    }

    /**
     * The devices' state at one moment, for one status message. Immutable.
     *
     * @param devices       per present device id, sorted
     * @param overThreshold the devices faulted longer than the threshold (what makes the gateway degraded)
     */
    record Snapshot(Map<String, DeviceState> devices, List<DeviceState> overThreshold) {
        static final Snapshot NONE = new Snapshot(Map.of(), List.of());

        Snapshot {
            devices = Collections.unmodifiableMap(new TreeMap<>(devices));
            overThreshold = List.copyOf(overThreshold);
        }

        /** "" when no device makes the gateway degraded; else the first one, its time and error. */
        String problem(long now) {
            if (overThreshold.isEmpty()) {
                return "";
            }
            DeviceState d = overThreshold.get(0);
            return "device " + d.id() + ": faulted for " + Math.max(0, (now - d.sinceNanos()) / 1_000_000_000L) + " s"
                    + (d.error() == null || d.error().isEmpty() ? "" : ": " + d.error())
                    + (overThreshold.size() > 1 ? " (and " + (overThreshold.size() - 1) + " more device(s))" : "");
        }
    }

    private final Supplier<SortedSet<String>> ids;
    private final Function<String, Optional<Device>> devices;
    private final long probeMs;
    private final long probeTimeoutNanos;
    private final long faultNanos;   // < 0: devices do not count toward health
    private final LongSupplier clock;
    private final Runnable onChange;
    private final Map<String, DeviceState> states = new ConcurrentHashMap<>();
    private final Map<String, Long> waiting = new ConcurrentHashMap<>();   // device -> when its unanswered probe was asked
    private volatile Set<String> lastOver = Set.of();   // watch thread
    private final ScheduledExecutorService thread;

    /**
     * @param faultMs how long a device must be faulted before the gateway is degraded; negative: never
     * @param clock   System::nanoTime, or a test's
     */
    DeviceHealthWatch(Supplier<SortedSet<String>> ids, Function<String, Optional<Device>> devices, long probeMs, long faultMs,
                      LongSupplier clock, Runnable onChange, String gateway) {
        this.ids = ids;
        this.devices = devices;
        this.probeMs = Math.max(MIN_PROBE_MS, probeMs);
        this.probeTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(10_000, Math.max(1_000, this.probeMs)));
        this.faultNanos = faultMs < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(faultMs);
        this.clock = clock;
        this.onChange = onChange;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-device-health " + gateway);
            t.setDaemon(true);
            return t;
        });
    }

    DeviceHealthWatch start() {
        thread.scheduleWithFixedDelay(this::round, 0, probeMs, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Never blocks: the last outcome of each present device. */
    Snapshot snapshot() {
        long now = clock.getAsLong();
        Map<String, DeviceState> out = new TreeMap<>();
        List<DeviceState> over = new ArrayList<>();
        for (String id : ids.get()) {
            DeviceState s = states.getOrDefault(id, new DeviceState(id, DeviceState.Kind.UNKNOWN, now, null, null));
            out.put(id, s);
            if (faultNanos >= 0 && s.faultedFor(faultNanos, now)) {
                over.add(s);
            }
        }
        return new Snapshot(out, over);
    }

    // watch thread: one probe per device not still waiting, then the threshold check
    void round() {
        try {
            SortedSet<String> present = ids.get();
            states.keySet().retainAll(present);
            waiting.keySet().retainAll(present);
            long now = clock.getAsLong();
            for (String id : present) {
                Long asked = waiting.get(id);
                if (asked != null) {
                    if (now - asked >= probeTimeoutNanos) {   // still unanswered: that is a fault too
                        record(id, false, "no status answer within " + TimeUnit.NANOSECONDS.toMillis(probeTimeoutNanos) + " ms", asked);
                    }
                    continue;
                }
                probe(id, now);
            }
            Set<String> over = Set.copyOf(snapshot().overThreshold().stream().map(DeviceState::id).toList());
            if (!over.equals(lastOver)) {
                if (over.size() > lastOver.size() || !lastOver.containsAll(over)) {
                    LOG.warn("fleet: the gateway's health is degraded by device(s) {}: faulted for longer than {} ms", over,
                            TimeUnit.NANOSECONDS.toMillis(faultNanos));
                }
                lastOver = over;
                onChange.run();
            }
        } catch (RuntimeException e) {   // a driver's bug must not end the watch
            LOG.warn("fleet: device health: {}", PahoLink.reason(e));
        }
    }

    private void probe(String id, long now) {
        Optional<Device> d = devices.apply(id);
        if (d.isEmpty()) {
            return;
        }
        waiting.put(id, now);
        Promise<DeviceStatus> p;
        try {
            p = d.get().status();
        } catch (RuntimeException e) {
            waiting.remove(id);
            record(id, false, PahoLink.reason(e), now);
            return;
        }
        // on the driver's thread: hand over only
        p.onResolve(() -> {
            try {
                thread.execute(() -> answered(id, now, p));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // closed meanwhile
            }
        });
    }

    // watch thread
    private void answered(String id, long asked, Promise<DeviceStatus> p) {
        try {
            Throwable failure = p.getFailure();
            if (failure != null) {
                record(id, false, PahoLink.reason(failure), asked);
                return;
            }
            DeviceHealth h = p.getValue().health();
            if (h.reachable()) {
                record(id, true, null, asked);
            } else if (h.lastError() != null || h.lastGoodExchange() != null) {
                record(id, false, h.lastError() == null ? "not reachable" : h.lastError(), asked);
            }   // else: nothing exchanged yet, nothing known
        } catch (Exception e) {   // resolved: neither waits nor fails
            record(id, false, PahoLink.reason(e), asked);
        } finally {
            waiting.remove(id);   // after the outcome is recorded
        }
    }

    /** A fault streak starts at the first failed probe and ends with a good one. */
    private void record(String id, boolean ok, String error, long at) {
        DeviceState before = states.get(id);
        DeviceState.Kind kind = ok ? DeviceState.Kind.OK : DeviceState.Kind.FAULTED;
        String text = error == null ? null : Texts.clip(error);
        if (before != null && before.kind() == kind) {
            if (!ok && !java.util.Objects.equals(before.error(), text)) {   // the same streak, a newer reason
                states.put(id, new DeviceState(id, kind, before.sinceNanos(), before.since(), text));
            }
            return;
        }
        long now = clock.getAsLong();
        Instant since = Instant.now().minusNanos(Math.max(0, now - at));
        states.put(id, new DeviceState(id, kind, at, since, text));
        onChange.run();
    }

    /** Probes asked and not yet answered (tests). */
    int waitingCount() {
        return waiting.size();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
