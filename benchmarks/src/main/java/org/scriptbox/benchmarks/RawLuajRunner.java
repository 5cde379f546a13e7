package org.scriptbox.benchmarks;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * Plain Luaj 3.0.1 as an application would use it: compile once, fresh standard globals per run, no
 * limits. Loaded in a class loader of its own (see {@link EngineBenchmark}).
 * Input: source and number of runs; output: {@code long[]} nanos per run and the last result.
 */
public final class RawLuajRunner implements BiFunction<String, Integer, Object[]> {

    @Override
    public Object[] apply(String source, Integer runs) {
        try {
            Prototype p = LuaC.instance.compile(new ByteArrayInputStream(source.getBytes(StandardCharsets.UTF_8)), "bench");
            RunClock clock = new RunClock(runs);
            String result = null;
            for (int i = 0; i < runs; i++) {
                clock.start();
                Globals g = JsePlatform.standardGlobals();
                result = new LuaClosure(p, g).call().tojstring();
                clock.stop(i);
            }
            return clock.result(result);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
