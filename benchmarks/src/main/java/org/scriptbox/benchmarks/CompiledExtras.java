package org.scriptbox.benchmarks;

import java.util.function.Function;

import org.scriptbox.engine.internal.LuaScriptEngine;

/** {@link SandboxedExtras} for the engine in compiled mode (LuaJC); each line is prefixed "compiled mode:". */
public final class CompiledExtras implements Function<String, String> {
    private final SandboxedExtras extras = new SandboxedExtras(new LuaScriptEngine(1024 * 1024, true));

    @Override
    public String apply(String thousandLines) {
        return extras.apply(thousandLines).replaceAll("(?m)^(?=.)", "compiled mode: ");
    }
}
