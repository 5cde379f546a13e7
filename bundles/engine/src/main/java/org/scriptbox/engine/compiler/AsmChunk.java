package org.scriptbox.engine.compiler;

import java.lang.reflect.Constructor;
import java.util.List;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.UpValue;
import org.scriptbox.engine.vm.Meter;

/**
 * A chunk compiled by {@link AsmCompiler}: its classes, defined once in a loader of their own (they unload
 * with the compiled script), and which functions stayed interpreted and why.
 */
public final class AsmChunk {
    private final Constructor<?> main;
    private final int upvalueCount;
    private final int compiledFunctions;
    private final List<String> interpreted;

    AsmChunk(Constructor<?> main, int upvalueCount, int compiledFunctions, List<String> interpreted) {
        this.main = main;
        this.upvalueCount = upvalueCount;
        this.compiledFunctions = compiledFunctions;
        this.interpreted = List.copyOf(interpreted);
    }

    /**
     * The main chunk as a function over {@code env} (the execution's globals, which carry {@code meter}),
     * as {@code new MeteredClosure(p, env, meter)} would make it.
     */
    public LuaFunction instantiate(LuaValue env, Meter meter) {
        UpValue[] ups = new UpValue[upvalueCount];
        if (upvalueCount > 0) {
            ups[0] = new UpValue(new LuaValue[] {env}, 0);
        }
        try {
            return (LuaFunction) main.newInstance(meter, (Globals) env, ups);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("compiled chunk cannot be instantiated", e);
        }
    }

    /** False when the main function stays interpreted (and with it every function of the chunk). */
    public boolean runsCompiled() {
        return main != null;
    }

    /** Functions (prototypes) that run as generated classes. */
    public int compiledFunctions() {
        return compiledFunctions;
    }

    /** The functions that stay interpreted, each as {@code chunk:line: reason}; empty when all compiled. */
    public List<String> interpretedFunctions() {
        return interpreted;
    }
}
