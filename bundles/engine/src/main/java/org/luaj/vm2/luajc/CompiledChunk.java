package org.luaj.vm2.luajc;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;

import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Meter;
import org.luaj.vm2.Prototype;

/**
 * scriptbox: a chunk compiled to JVM classes by LuaJC (one class per prototype), generated and verified
 * once per compile, in a class loader of its own so that the classes unload with the compiled script.
 * Each execution instantiates the main chunk with its own globals and Meter ({@link #instantiate}); the
 * closures the chunk creates inherit the Meter.
 */
public final class CompiledChunk {
    private final Constructor<?> constructor;
    private final Field meterField;

    private CompiledChunk(Class<?> main) throws ReflectiveOperationException {
        this.constructor = main.getConstructor();
        this.meterField = main.getField(JavaBuilder.FIELD_METER);
    }

    /**
     * Generates, loads and verifies the classes of {@code p}. Throws whatever LuaJC, BCEL or the JVM
     * throw when the code cannot be compiled (callers fall back to the interpreter).
     */
    public static CompiledChunk compile(Prototype p, String chunkName, ClassLoader parent) throws Exception {
        KnownMiscompiles.check(p);
        JavaGen gen = new JavaGen(p, className(chunkName), chunkName, false);
        Loader loader = new Loader(parent);
        loader.include(gen);
        FieldLinks.check(loader.classes, parent);
        loader.initialize(gen);
        return new CompiledChunk(loader.loadClass(gen.classname));
    }

    /** The main chunk as a function over {@code env} (the execution's globals), metered by {@code meter}. */
    public LuaFunction instantiate(LuaValue env, Meter meter) {
        try {
            LuaFunction f = (LuaFunction) constructor.newInstance();
            f.initupvalue1(env);
            meterField.set(f, meter);
            return f;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("compiled chunk cannot be instantiated", e);
        }
    }

    /**
     * A Java identifier from the chunk name (the classes live in a loader of their own: no clashes). ASCII
     * letters and digits only: Character.isJavaIdentifierPart also accepts control characters (identifier-
     * ignorable), which the JVM refuses in a class name (red-team: a chunk named "\u0001" never compiled).
     */
    static String className(String chunkName) {
        StringBuilder sb = new StringBuilder("lua_");
        for (int i = 0; i < chunkName.length() && sb.length() < 64; i++) {
            char c = chunkName.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            sb.append(plain ? c : '_');
        }
        return sb.toString();
    }

    /** Defines the generated classes of one chunk. */
    private static final class Loader extends ClassLoader {
        private final Map<String, byte[]> classes = new HashMap<>();

        Loader(ClassLoader parent) {
            super(parent);
        }

        void include(JavaGen gen) {
            classes.put(gen.classname, gen.bytecode);
            if (gen.inners != null) {
                for (JavaGen inner : gen.inners) {
                    include(inner);
                }
            }
        }

        /** Loads, verifies and initialises every class now, and gives each its prototype. */
        void initialize(JavaGen gen) throws ReflectiveOperationException {
            Class<?> c = Class.forName(gen.classname, true, this);
            c.getField(JavaBuilder.FIELD_PROTOTYPE).set(null, gen.prototype);
            if (gen.inners != null) {
                for (JavaGen inner : gen.inners) {
                    initialize(inner);
                }
            }
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = classes.remove(name); // defined once; the bytes are not kept
            if (bytes != null) {
                return defineClass(name, bytes, 0, bytes.length);
            }
            throw new ClassNotFoundException(name);
        }
    }
}
