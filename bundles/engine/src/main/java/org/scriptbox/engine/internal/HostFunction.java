package org.scriptbox.engine.internal;

import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.engine.ScriptCallException;
import org.scriptbox.api.engine.ScriptFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link ScriptFunction} of a {@code ScriptLibrary} service, as a Lua global of one execution. */
final class HostFunction extends VarArgFunction {
    private static final Logger LOG = LoggerFactory.getLogger(HostFunction.class);

    private final String library;
    private final ScriptFunction function;
    private final Execution execution;

    HostFunction(String library, String name, ScriptFunction function, Execution execution) {
        this.library = library;
        this.name = name;
        this.function = function;
        this.execution = execution;
    }

    @Override
    public Varargs invoke(Varargs args) {
        Object result;
        try {
            result = function.call(execution, LuaValues.argsToJava(args));
        } catch (ScriptCallException e) {
            throw new HostError(e.kind(), e.getMessage() == null ? name + " failed" : e.getMessage());
        } catch (LimitBreach e) {
            throw e;
        } catch (RuntimeException e) {
            // A bug in the library, not the script's fault: log it for the operator, tell the script little.
            LOG.warn("library '{}' function {} failed in script {}", library, name, execution.scriptName(), e);
            throw new HostError(ErrorKind.RUNTIME, name + " failed: " + e.getClass().getSimpleName());
        }
        return LuaValues.returnToLua(result);
    }
}
