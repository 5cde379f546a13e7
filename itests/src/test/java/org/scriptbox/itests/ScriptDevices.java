package org.scriptbox.itests;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;

/** What scripts see of the devices, asked through the engine as a script would. */
final class ScriptDevices {
    private ScriptDevices() {
    }

    /** Waits until scripts see the device (or no longer see it): the service registry alone may be ahead of them. */
    static void await(ScriptEngine engine, String id, boolean present, Duration bound) {
        Await.until("device " + id + (present ? " visible" : " gone") + " to scripts", bound, () -> {
            ExecutionResult r = engine.execute(engine.compile("list.lua", "return table.concat(device_list(), ',')"),
                    new ExecutionRequest("list", "list-" + System.nanoTime(), null, null, Set.of("device:read"), null,
                            null, null));
            return List.of(String.valueOf(r.values().isEmpty() ? "" : r.values().get(0)).split(",")).contains(id);
        }, found -> found == present);
    }
}
