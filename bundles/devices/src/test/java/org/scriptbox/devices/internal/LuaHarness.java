package org.scriptbox.devices.internal;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.driversim.internal.SimulatedDevice;
import org.scriptbox.engine.internal.LuaScriptEngine;

/** The real engine with the device library installed, over simulated devices: Lua in, results out. */
final class LuaHarness implements AutoCloseable {
    final DeviceRegistry registry = new DeviceRegistry();
    final DevicePolicy policy;
    final DeviceApi api;
    final LuaScriptEngine engine = new LuaScriptEngine();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<SimulatedDevice> sims = new ArrayList<>();
    private final AtomicInteger runs = new AtomicInteger();

    LuaHarness(DevicePolicy.Limits limits) {
        this(limits, "");
    }

    LuaHarness(DevicePolicy.Limits limits, String defaultDevice) {
        policy = new DevicePolicy(limits, System::nanoTime);
        api = new DeviceApi(registry, policy, new DeviceApi.Settings(defaultDevice, 2000));
        engine.addLibrary(api);
    }

    /** Starts a simulated device through its DS constructor, with these config values over the defaults. */
    SimulatedDevice simulator(String id, Map<String, Object> overrides) {
        SimulatedDevice.Config config = (SimulatedDevice.Config) Proxy.newProxyInstance(
                SimulatedDevice.Config.class.getClassLoader(), new Class<?>[] {SimulatedDevice.Config.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("device_id")) {
                        return id;
                    }
                    Object v = overrides.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
        SimulatedDevice sim = new SimulatedDevice(config);
        registry.addDevice(sim, Map.of(Device.DEVICE_ID, id, Device.DEVICE_TYPE, "simulator"));
        sims.add(sim);
        return sim;
    }

    void remove(SimulatedDevice sim) {
        registry.removeDevice(sim, Map.of(Device.DEVICE_ID, sim.id(), Device.DEVICE_TYPE, "simulator"));
    }

    ExecutionResult run(String script, String source, String... permissions) {
        return run(script, engine.compile(script + ".lua", source), permissions);
    }

    ExecutionResult run(CompiledScript compiled, String... permissions) {
        return run("bench", compiled, permissions);
    }

    private ExecutionResult run(String script, CompiledScript compiled, String... permissions) {
        return run(script, compiled, new org.scriptbox.api.engine.Cancellation(), permissions);
    }

    /** Runs with a cancel flag the test may raise from another thread. */
    ExecutionResult run(String script, String source, org.scriptbox.api.engine.Cancellation cancel,
                        String... permissions) {
        return run(script, engine.compile(script + ".lua", source), cancel, permissions);
    }

    private ExecutionResult run(String script, CompiledScript compiled, org.scriptbox.api.engine.Cancellation cancel,
                                String... permissions) {
        return engine.execute(compiled, new ExecutionRequest(script, script + "-" + runs.incrementAndGet(), null,
                null, Set.of(permissions), cancel, null, (level, message) -> log.add(level + " " + message)));
    }

    static final String[] ALL = {"device:read", "device:write", "device:control", "telemetry:read"};

    @Override
    public void close() {
        for (SimulatedDevice s : sims) {
            try {
                var deactivate = SimulatedDevice.class.getDeclaredMethod("deactivate");
                deactivate.setAccessible(true);
                deactivate.invoke(s);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
