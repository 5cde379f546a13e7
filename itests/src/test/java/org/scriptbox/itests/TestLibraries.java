package org.scriptbox.itests;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;

/** Lua functions the tests add to every script's globals through the ScriptLibrary whiteboard. */
final class TestLibraries {
    private TestLibraries() {
    }

    /** Registers {@code functions} as a library; unregister it when the test ends. */
    static ServiceRegistration<ScriptLibrary> register(BundleContext context, String name, Map<String, ScriptFunction> functions) {
        ScriptLibrary library = new ScriptLibrary() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, ScriptFunction> functions() {
                return functions;
            }
        };
        return context.registerService(ScriptLibrary.class, library, null);
    }

    /** {@code wait_ms(n)}: waits in the engine's sleep, which ends as soon as the execution is cancelled. */
    static ScriptFunction waitMs() {
        return (scope, args) -> {
            scope.sleep(TimeUnit.MILLISECONDS.toNanos(((Number) args[0]).longValue()));
            return null;
        };
    }
}
