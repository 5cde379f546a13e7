package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.concurrent.atomic.AtomicLong;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.engine.ExecutionScope;
import org.scriptbox.api.engine.ScriptCallException;

/** A device API over a real registry and policy, with a hand-driven clock. */
class Fixture {
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final DeviceRegistry registry = new DeviceRegistry();
    final DevicePolicy policy = new DevicePolicy(DevicePolicy.Limits.SEED, clock::get);
    DeviceApi api = new DeviceApi(registry, policy, new DeviceApi.Settings("", 200));

    Object call(ExecutionScope scope, String function, Object... args) {
        return api.functions().get(function).call(scope, args);
    }

    ScriptCallException failure(ExecutionScope scope, String function, Object... args) {
        try {
            Object result = call(scope, function, args);
            fail(function + " should have failed but returned " + result);
            return null;
        } catch (ScriptCallException e) {
            return e;
        }
    }

    void assertFails(ErrorKind kind, String expected, ExecutionScope scope, String function, Object... args) {
        ScriptCallException e = failure(scope, function, args);
        assertEquals(e.getMessage(), kind, e.kind());
        assertTrue("message '" + e.getMessage() + "' should contain '" + expected + "'",
                e.getMessage().contains(expected));
    }

    void advanceSeconds(double seconds) {
        clock.addAndGet((long) (seconds * 1e9));
    }
}
