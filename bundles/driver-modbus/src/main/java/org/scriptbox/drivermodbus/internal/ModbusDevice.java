package org.scriptbox.drivermodbus.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelInfo;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.SafeState;
import org.scriptbox.api.device.StopCoalescer;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;

/**
 * A Modbus device (TCP, RTU over TCP, or RTU on a serial line): motor speeds go to holding registers (signed
 * 16-bit, speed times {@code speed.scale}), digital outputs to coils, channels ({@link ChannelSpec}) are read
 * from any table in batches ({@link ReadPlan}) and the writable ones written with FC05/06/15/16. Two lanes,
 * each with its own thread: ordinary commands in order on the {@link CommandLane}, e-stops and safe states on
 * the {@link StopLane}; on TCP each lane has its own connection, on RTU they share the one line. Callers get a
 * promise at once; nothing here blocks them.
 */
final class ModbusDevice implements Device {
    private final ModbusSettings settings;
    private final DeviceInfo info;
    private final DeviceLink link;
    private final CommandLane commands;
    private final StopLane stops;
    /** Every e-stop path (scripts, shell, any API caller) passes here: repeats join one pass on the wire. */
    private final StopCoalescer coalescer = new StopCoalescer();
    private final Map<String, ChannelInfo> channelInfo;
    /** The last good value of each channel and when it was read (polling); emptied by every write and stop. */
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /**
     * Advanced by every write and stop: a read that started before one does not fill the cache (a poll waiting
     * for its last batch while the stop wrote would cache what was true before the stop).
     */
    private final AtomicLong cacheEpoch = new AtomicLong();
    /** Read requests sent for channels (status and the bench: batching's effect). */
    private final AtomicLong readRequests = new AtomicLong();

    private record Cached(ChannelValue value, long atNanos) {
    }

    ModbusDevice(ModbusSettings s) {
        this.settings = s;
        this.info = new DeviceInfo(s.id(), type(s), s.firmware(), s.motorRegisters().size(), s.outputs(),
                List.copyOf(s.channels().keySet()));
        Map<String, ChannelInfo> ci = new LinkedHashMap<>();
        s.channels().values().forEach(c -> ci.put(c.name(), new ChannelInfo(c.name(), c.type() == ChannelSpec.Type.BOOL,
                c.writable(), c.writable() ? c.minValue() : Double.NaN, c.writable() ? c.maxValue() : Double.NaN)));
        this.channelInfo = java.util.Collections.unmodifiableMap(ci);
        // A probe interval without an answer, plus the time the probe itself may take, makes the device stale.
        int idleInterval = s.polling().on() ? s.polling().intervalMillis() : s.probeIntervalMillis();
        long stale = idleInterval > 0 ? (2L * idleInterval + s.timeoutMillis()) * 1_000_000L : Long.MAX_VALUE;
        this.link = new DeviceLink(s.timeoutMillis(), new LinkHealth(stale));
        ModbusTransport commandLine;
        ModbusTransport stopLine;
        if (s.wire().transport() == ModbusSettings.Transport.TCP) {
            commandLine = new ModbusConnection(s.host(), s.port(), s.unitId(), s.timing());
            stopLine = new ModbusConnection(s.host(), s.port(), s.unitId(), s.timing().withoutBackoff());
        } else {
            // RTU has one transaction at a time on the line: both lanes share it (the stop waits for at most one)
            ByteLink bytes = s.wire().transport() == ModbusSettings.Transport.RTU
                    ? new SerialByteLink(s.wire().serialPort(), s.wire().baud(), s.wire().parity(), s.wire().stopBits())
                    : new TcpByteLink(s.host(), s.port());
            String lineKey = s.wire().transport() == ModbusSettings.Transport.RTU ? s.wire().serialPort()
                    : s.host() + ":" + s.port();
            SharedLine line = new SharedLine(new RtuConnection(bytes, s.unitId(), s.timing(),
                    Math.max(1, s.timeoutMillis() / 2), SharedLine.lateAnswers(lineKey), SharedLine.giveWay(lineKey)),
                    lineKey);
            commandLine = line.view(false);
            stopLine = line.view(true);
        }
        this.commands = s.polling().on()
                ? new CommandLane(s.id(), commandLine, link, this::poll, true, s.polling().intervalMillis())
                : new CommandLane(s.id(), commandLine, link, s.probe(), s.probeIntervalMillis());
        this.stops = new StopLane(s.id(), stopLine, link);
        coalescer.latching(s.estopLatch());
    }

    static String type(ModbusSettings s) {
        return "modbus-" + s.wire().transport().word;
    }

    void close() {
        commands.shutdown();
        stops.shutdown();
    }

    @Override
    public String id() {
        return settings.id();
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    /** From the health the exchanges keep: answers at once, however busy or dead the device is. */
    @Override
    public Promise<DeviceStatus> status() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("transport", settings.wire().transport().word);
        if (settings.wire().transport() == ModbusSettings.Transport.RTU) {
            details.put("serial_port", settings.wire().serialPort());
        } else {
            details.put("host", settings.host());
            details.put("port", settings.port());
        }
        details.put("unit_id", settings.unitId());
        details.put("read_requests", readRequests.get());
        if (settings.polling().on()) {
            details.put("poll_interval_ms", settings.polling().intervalMillis());
            details.put("poll_max_age_ms", settings.polling().maxAgeMillis());
        }
        details.put("safe_state", settings.safeState().toString());
        details.put("probe_interval_ms", settings.probeIntervalMillis());
        details.put("stop_passes", coalescer.passes());
        if (settings.estopLatch()) {
            details.put("estop_latched", coalescer.latched());
        }
        details.put("requests_queued", commands.queued());
        return Promises.resolved(new DeviceStatus(info, link.health().snapshot(), details));
    }

    @Override
    public Promise<Void> setMotorSpeed(int motorId, double speed, CallContext ctx) {
        if (motorId < 0 || motorId >= settings.motorRegisters().size()) {
            return Promises.failed(new IllegalArgumentException("no motor " + motorId));
        }
        return write(Actuator.motor(motorId), motorWrite(motorId, speed), ctx);
    }

    @Override
    public Promise<Void> setDigitalOutput(int pin, boolean state, CallContext ctx) {
        if (pin < 0 || pin >= settings.outputs()) {
            return Promises.failed(new IllegalArgumentException("no output " + pin));
        }
        return write(Actuator.output(pin), outputWrite(pin, state), ctx);
    }

    /** Sent at most once: no resend, withdrawn if the caller gave up first, UNKNOWN if sent and not answered. */
    private Promise<Void> write(Actuator actuator, ModbusRequest request, CallContext ctx) {
        DeviceException latched = coalescer.refusal(settings.id());
        if (latched != null) {
            return Promises.failed(latched);
        }
        coalescer.wrote();
        invalidateCache();   // a channel may read a motor's register or an output's coil back
        return commands.submit(ctx, actuator, (connection, command) -> {
            try {
                link.exchange(connection, request, link.deadline(ctx.deadlineNanos()), command::withdrawal);
                return null;
            } catch (ModbusFailure f) {
                throw DeviceLink.writeFailure(f);
            } finally {
                invalidateCache();
            }
        });
    }

    @Override
    public Map<String, ChannelInfo> channels() {
        return channelInfo;
    }

    /**
     * The channels in as few requests as {@link ReadPlan} allows; with polling, answered at once from the cache
     * when every channel asked for has a value younger than {@code poll.max.age.ms}. A refused or malformed
     * batch is read again channel by channel, so one bad register fails its channel only; a batch whose
     * request got no answer is tried once more while the caller's deadline allows; once the device cannot be
     * reached the channels left fail with that reason at once.
     */
    @Override
    public Promise<Map<String, ChannelValue>> readTelemetry(List<String> names, CallContext ctx) {
        List<String> wanted = List.copyOf(new LinkedHashSet<>(names));
        if (settings.polling().on()) {
            Map<String, ChannelValue> cached = fromCache(wanted);
            if (cached != null) {
                return Promises.resolved(cached);
            }
        }
        return commands.submit(ctx, null, (connection, command) -> {
            Map<String, ChannelValue> values = new LinkedHashMap<>();
            List<ChannelSpec> specs = new ArrayList<>();
            for (String name : wanted) {
                ChannelSpec c = settings.channels().get(name);
                if (c == null) {
                    values.put(name, ChannelValue.failed("no channel '" + name + "'"));
                } else {
                    specs.add(c);
                }
            }
            values.putAll(read(connection, specs, command.context().deadlineNanos(), command::withdrawal));
            Map<String, ChannelValue> ordered = new LinkedHashMap<>();
            wanted.forEach(n -> ordered.put(n, values.get(n)));
            return ordered;
        });
    }

    /** Every asked-for channel from the cache, or {@code null} if one is missing or too old. */
    private Map<String, ChannelValue> fromCache(List<String> wanted) {
        long now = System.nanoTime();
        long maxAge = settings.polling().maxAgeMillis() * 1_000_000L;
        Map<String, ChannelValue> values = new LinkedHashMap<>();
        for (String name : wanted) {
            Cached c = cache.get(name);
            if (c == null || now - c.atNanos() > maxAge) {
                return null;
            }
            values.put(name, c.value());
        }
        return values;
    }

    /**
     * The poll: every channel, on the command lane when idle, into the cache. It yields to the first command
     * that arrives (the requests it has not sent yet are withdrawn), so a long poll of a slow device never
     * holds a script's command for more than the one request on the wire.
     */
    private void poll(ModbusTransport connection) {
        read(connection, List.copyOf(settings.channels().values()), link.deadline(), () -> {
            CommandLane lane = commands;   // null while the lane starts, before the constructor has assigned it
            return lane != null && lane.queued() > 0 ? "the poll yields to a command" : null;
        });
    }

    private Map<String, ChannelValue> read(ModbusTransport connection, List<ChannelSpec> specs, long callerDeadline,
                                           java.util.function.Supplier<String> withdrawal) {
        long epoch = cacheEpoch.get();
        Map<String, ChannelValue> values = new LinkedHashMap<>();
        List<ReadPlan.Batch> batches = ReadPlan.plan(specs, settings.batching());
        List<ModbusFailure> failures = new ArrayList<>();
        if (connection.pipelines() && batches.size() > 1) {
            String withdrawn = withdrawal.get();
            List<ModbusTransport.Reply> replies;
            if (withdrawn != null) {
                ModbusFailure f = new ModbusFailure(ModbusFailure.Kind.WITHDRAWN, withdrawn);
                replies = batches.stream().map(b -> new ModbusTransport.Reply(null, f)).toList();
            } else {
                readRequests.addAndGet(batches.size());
                replies = link.exchangeAll(connection, batches.stream().map(ReadPlan.Batch::request).toList(),
                        link.deadline(callerDeadline));
            }
            for (int i = 0; i < batches.size(); i++) {
                failures.add(replies.get(i).ok() ? take(values, batches.get(i), replies.get(i).pdu())
                        : replies.get(i).failure());
            }
        } else {
            String linkDown = null;
            for (ReadPlan.Batch b : batches) {
                if (linkDown != null) {
                    failures.add(new ModbusFailure(ModbusFailure.Kind.NOT_SENT, linkDown));
                    continue;
                }
                ModbusFailure f = readBatch(connection, b, callerDeadline, withdrawal, values);
                failures.add(f);
                if (f != null && (f.kind() == ModbusFailure.Kind.NOT_SENT || f.kind() == ModbusFailure.Kind.WITHDRAWN)) {
                    linkDown = f.getMessage();
                }
            }
        }
        // second round: a batch without an answer once more (a read has no effect on the device), a refused or
        // malformed one channel by channel; none once the device cannot be reached or the caller gave up
        String linkDown = null;
        for (int i = 0; i < batches.size(); i++) {
            ModbusFailure f = failures.get(i);
            if (f == null) {
                continue;
            }
            ReadPlan.Batch b = batches.get(i);
            List<ReadPlan.Batch> again = List.of();
            if (linkDown == null && f.kind() != ModbusFailure.Kind.WITHDRAWN && withdrawal.get() == null) {
                again = DeviceLink.retryable(f) ? List.of(b) : b.channels().size() == 1 ? List.of()
                        : b.channels().stream().map(c -> ReadPlan.plan(List.of(c), settings.batching()).get(0)).toList();
            }
            if (again.isEmpty()) {
                b.channels().forEach(c -> values.put(c.name(), ChannelValue.failed(f.getMessage())));
                if (f.kind() == ModbusFailure.Kind.NOT_SENT || f.kind() == ModbusFailure.Kind.WITHDRAWN) {
                    linkDown = f.getMessage();
                }
                continue;
            }
            for (ReadPlan.Batch one : again) {
                ModbusFailure g = linkDown != null ? new ModbusFailure(ModbusFailure.Kind.NOT_SENT, linkDown)
                        : readBatch(connection, one, callerDeadline, withdrawal, values);
                if (g != null) {
                    one.channels().forEach(c -> values.put(c.name(), ChannelValue.failed(g.getMessage())));
                    if (g.kind() == ModbusFailure.Kind.NOT_SENT || g.kind() == ModbusFailure.Kind.WITHDRAWN) {
                        linkDown = g.getMessage();
                    }
                }
            }
        }
        long now = System.nanoTime();
        synchronized (cache) {
            if (cacheEpoch.get() == epoch) {   // no write or stop since this read began
                values.forEach((name, v) -> {
                    if (v.ok()) {
                        cache.put(name, new Cached(v, now));
                    }
                });
            }
        }
        return values;
    }

    /** One batch, once; its values into {@code values}; the failure, or {@code null}. */
    private ModbusFailure readBatch(ModbusTransport connection, ReadPlan.Batch b, long callerDeadline,
                                    java.util.function.Supplier<String> withdrawal, Map<String, ChannelValue> values) {
        try {
            readRequests.incrementAndGet();
            byte[] pdu = link.exchange(connection, b.request(), link.deadline(callerDeadline), withdrawal);
            return take(values, b, pdu);
        } catch (ModbusFailure f) {
            return f;
        }
    }

    /** Every write and stop: what was read before may no longer be true, and a read in progress must not cache. */
    private void invalidateCache() {
        synchronized (cache) {
            cacheEpoch.incrementAndGet();
            cache.clear();
        }
    }

    private static ModbusFailure take(Map<String, ChannelValue> values, ReadPlan.Batch b, byte[] pdu) {
        values.putAll(b.values(pdu));
        return null;
    }

    /**
     * One writable channel, FC05/06/15/16 as its spec says. Sent at most once like every write; a value that
     * does not fit the channel is not sent. Every write empties the poll cache (a value read before it may
     * no longer be true).
     */
    @Override
    public Promise<Void> writeChannel(String channel, double value, CallContext ctx) {
        ChannelSpec spec = settings.channels().get(channel);
        if (spec == null || !spec.writable()) {
            return Promises.failed(new DeviceException(WriteOutcome.NOT_SENT, DeviceException.Fault.REFUSED,
                    "not sent: " + (spec == null ? "no channel '" + channel + "'" : "channel '" + channel
                    + "' is read-only")));
        }
        ModbusRequest request;
        try {
            request = spec.write(value);
        } catch (IllegalArgumentException e) {
            return Promises.failed(new DeviceException(WriteOutcome.NOT_SENT, DeviceException.Fault.REFUSED,
                    "not sent: " + e.getMessage()));
        }
        DeviceException latched = coalescer.refusal(settings.id());
        if (latched != null) {
            return Promises.failed(latched);
        }
        invalidateCache();
        coalescer.wrote();
        // named as an actuator, so that a stop that comes while it is on the wire writes the safe value after it
        return commands.submit(ctx, Actuator.channel(channel), (connection, command) -> {
            try {
                link.exchange(connection, request, link.deadline(ctx.deadlineNanos()), command::withdrawal);
                return null;
            } catch (ModbusFailure f) {
                throw DeviceLink.writeFailure(f);
            } finally {
                invalidateCache();
            }
        });
    }

    /**
     * Every motor to 0, every output off and every writable channel to its safe value (not those configured
     * {@code safe=leave}), each on its own; waiting ordinary commands are abandoned.
     * A stop in flight, or a complete one within the coalescing window with no write since, is joined.
     */
    @Override
    public Promise<StopReport> emergencyStop() {
        // A broken stop connection since the last pass: the device may have restarted, so that pass is not joined.
        return coalescer.stop(stops::linkIntact, this::stopPass);
    }

    private Promise<StopReport> stopPass() {
        List<StopLane.Target> targets = new ArrayList<>();
        for (int m = 0; m < settings.motorRegisters().size(); m++) {
            targets.add(new StopLane.Target(Actuator.motor(m), motorWrite(m, 0)));
        }
        for (int pin = 0; pin < settings.outputs(); pin++) {
            targets.add(new StopLane.Target(Actuator.output(pin),
                    outputWrite(pin, false)));
        }
        for (ChannelSpec c : settings.channels().values()) {
            ModbusRequest r = c.safeWrite(false);
            if (r != null) {
                targets.add(new StopLane.Target(Actuator.channel(c.name()), r));
            }
        }
        commands.pause(true, this::stopValue);
        invalidateCache();   // a value read before the stop may no longer be true
        return stops.run(targets, () -> {
            invalidateCache();
            commands.resume();
        });
    }

    /** The operator's reset of a latched e-stop ({@code estop.latch = true}). */
    @Override
    public boolean resetEmergencyStop() {
        return coalescer.reset();
    }

    /**
     * The touched actuators to their configured safe values, on the stop lane; waiting commands stay (they
     * may belong to other executions). Actuators the safe state leaves alone, or that the device does not
     * have, are neither written nor reported.
     */
    @Override
    public Promise<StopReport> applySafeState(Set<Actuator> touched) {
        coalescer.wrote();   // a safe value need not be a stop value: the next e-stop must go out
        Set<Actuator> chosen = new TreeSet<>(touched);
        List<StopLane.Target> targets = new ArrayList<>();
        for (Actuator a : chosen) {
            ModbusRequest r = safeValue(a);
            if (r != null) {
                targets.add(new StopLane.Target(a, r));
            }
        }
        commands.pause(false, a -> chosen.contains(a) ? safeValue(a) : null);
        invalidateCache();
        return stops.run(targets, () -> {
            invalidateCache();
            commands.resume();
        });
    }

    /** The write that puts {@code a} into its e-stop value, or {@code null} (a channel left alone, or unknown). */
    private ModbusRequest stopValue(Actuator a) {
        return switch (a.kind()) {
            case MOTOR -> motorWrite(a.index(), 0);
            case OUTPUT -> outputWrite(a.index(), false);
            case CHANNEL -> {
                ChannelSpec c = settings.channels().get(a.channel());
                yield c == null ? null : c.safeWrite(false);
            }
        };
    }

    /** The write that puts {@code a} into its safe value, or {@code null} if the safe state leaves it alone. */
    private ModbusRequest safeValue(Actuator a) {
        SafeState safe = settings.safeState();
        if (a.kind() == Actuator.Kind.CHANNEL) {
            // the channel's own safe= value; without one, the safe.state base (stop: 0/off, leave: untouched)
            ChannelSpec c = settings.channels().get(a.channel());
            return c == null ? null : c.safeWrite(safe.leaves(a));
        }
        if (!exists(a) || safe.leaves(a)) {
            return null;
        }
        return a.kind() == Actuator.Kind.MOTOR ? motorWrite(a.index(), safe.motorSpeed(a.index()))
                : outputWrite(a.index(), safe.output(a.index()));
    }

    private boolean exists(Actuator a) {
        int count = a.kind() == Actuator.Kind.MOTOR ? settings.motorRegisters().size() : settings.outputs();
        return a.kind() != Actuator.Kind.CHANNEL && a.index() < count;
    }

    /** FC05, or FC15 with {@code actuator.write = multiple} (devices that take only the multiple writes). */
    private ModbusRequest outputWrite(int pin, boolean on) {
        int coil = settings.coilStart() + pin;
        return settings.multipleWrites() ? ModbusRequest.writeCoils(coil, new boolean[] {on})
                : ModbusRequest.writeCoil(coil, on);
    }

    private ModbusRequest motorWrite(int motor, double speed) {
        long value = Math.round(speed * settings.speedScale());
        value = Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, value));
        int register = settings.motorRegisters().get(motor);
        return settings.multipleWrites() ? ModbusRequest.writeRegisters(register, new int[] {(int) value & 0xffff})
                : ModbusRequest.writeRegister(register, (int) value);
    }
}
