package org.scriptbox.benchmarks;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.jse.JsePlatform;
import org.luaj.vm2.luajc.JavaGen;

/**
 * Plain Luaj 3.0.1 with its LuaJC (Lua compiled to JVM classes by BCEL), no limits: classes generated once,
 * fresh standard globals per run. Loaded in a class loader of its own (see {@link EngineBenchmark}).
 */
public final class RawLuajcRunner implements BiFunction<String, Integer, Object[]> {
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    private final java.util.Map<String, Class<?>> classes = new java.util.HashMap<>();

    @Override
    public Object[] apply(String source, Integer runs) {
        try {
            Class<?> main = classes.get(source);
            if (main == null) {   // classes generated once per program, as an application would
                Prototype p = LuaC.instance.compile(new ByteArrayInputStream(source.getBytes(StandardCharsets.UTF_8)),
                        "bench");
                Loader loader = new Loader(RawLuajcRunner.class.getClassLoader());
                loader.include(new JavaGen(p, "bench", "bench.lua", false));
                main = loader.loadClass("bench");
                classes.put(source, main);
            }
            RunClock clock = new RunClock(runs);
            String result = null;
            for (int i = 0; i < runs; i++) {
                clock.start();
                Globals g = JsePlatform.standardGlobals();
                LuaFunction f = (LuaFunction) main.getConstructor().newInstance();
                f.initupvalue1(g);
                result = f.call().tojstring();
                clock.stop(i);
            }
            return clock.result(result);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Luaj's JavaLoader, but parented to this runner's loader (Luaj's is parented to the system loader). */
    private static final class Loader extends ClassLoader {
        private final java.util.Map<String, byte[]> classes = new java.util.HashMap<>();

        Loader(ClassLoader parent) {
            super(parent);
        }

        void include(JavaGen gen) {
            classes.put(gen.classname, gen.bytecode);
            for (int i = 0; gen.inners != null && i < gen.inners.length; i++) {
                include(gen.inners[i]);
            }
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length);
        }
    }
}
