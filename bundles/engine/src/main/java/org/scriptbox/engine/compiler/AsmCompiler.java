package org.scriptbox.engine.compiler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.UpValue;
import org.scriptbox.engine.vm.FieldSite;
import org.scriptbox.engine.vm.Meter;
import org.objectweb.asm.LimitExceededException;
import org.objectweb.asm.MethodTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles a chunk's prototypes to JVM classes, one per function ({@link FunctionWriter}). A function the
 * writer does not handle — or whose class the JVM refuses — stays interpreted: its closures are the
 * engine's interpreter's {@code MeteredClosure}s (and so are the closures they create), while the rest of the chunk runs compiled.
 */
public final class AsmCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(AsmCompiler.class);
    /** Where generated classes live (one package per chunk below it). */
    static final String PACKAGE_ROOT = "scriptbox/lua/";
    /** Rebuilds after a class the JVM refused (each is a full rebuild): few, then the chunk stays interpreted. */
    private static final int MAX_REFUSED_CLASSES = 3;
    /**
     * A body above this many bytes of bytecode with its charges spelled out keeps each charge a call ({@code Ops.charge1}, 5 bytes
     * instead of 15): HotSpot does not compile a method above 8,000 bytes at all ({@code DontCompileHugeMethods}).
     */
    static final int INLINE_CHARGES_LIMIT = 7_000;
    /**
     * Bodies above this many bytes (with each charge a call) get their charges spelled out: there C2 runs out of
     * inlining budget (8,000 bytes with all it inlined) and leaves {@code Ops.charge1} calls; a smaller body keeps
     * the short form, which keeps it small enough to be inlined into its callers.
     */
    static final int INLINE_CHARGES_FROM = 2_000;
    private AsmCompiler() {
    }

    /**
     * The compiled chunk; when its main function stays interpreted, so does every function (interpreted
     * closures create interpreted closures): {@link AsmChunk#runsCompiled()} is false.
     */
    public static AsmChunk compile(Prototype main, String chunkName, ClassLoader parent) {
        Set<Prototype> refused = new HashSet<>();
        // Each round either loads every class or refuses one more function: bounded by their number.
        while (true) {
            Round round = new Round(packageName(chunkName), refused, FunctionShape.typedCallArities(main));
            String mainClass = round.compile(main, "F", null);
            if (mainClass == null) {
                return new AsmChunk(null, 0, 0, round.interpreted);
            }
            Loader loader = new Loader(parent, round.classes);
            Prototype failed = null;
            for (Map.Entry<String, Prototype> e : round.prototypes.entrySet()) {
                try {
                    Class<?> c = Class.forName(e.getKey().replace('/', '.'), false, loader);
                    c.getField(FunctionWriter.FIELD_PROTOTYPE).set(null, e.getValue());
                    c.getField(FunctionWriter.FIELD_CONSTANTS).set(null, e.getValue().k);
                    for (Map.Entry<Integer, Integer> site : round.sites.get(e.getKey()).entrySet()) {
                        c.getField(FunctionWriter.FIELD_SITE + site.getKey())
                                .set(null, new FieldSite((LuaString) e.getValue().k[site.getValue()]));
                    }
                    Class.forName(c.getName(), true, loader); // links: the verifier runs now, not mid-run
                } catch (LinkageError | ReflectiveOperationException | RuntimeException ex) {
                    failed = e.getValue();
                    // a generator bug, not the script's: the Java detail is for the developers only
                    round.interpreted.add(where(e.getValue()) + ": its class was refused by the JVM");
                    LOG.debug("class of {} refused", where(e.getValue()), ex);
                    break;
                }
            }
            if (failed != null) {
                refused.add(failed);
                if (refused.size() > MAX_REFUSED_CLASSES) {
                    // a generator bug, not a script's doing: stop rebuilding, the whole chunk runs interpreted
                    round.interpreted.add(where(main) + ": too many classes refused");
                    return new AsmChunk(null, 0, 0, round.interpreted);
                }
                continue;
            }
            try {
                Class<?> c = loader.loadClass(mainClass.replace('/', '.'));
                return new AsmChunk(c.getConstructor(Meter.class, Globals.class, UpValue[].class),
                        main.upvalues.length, round.prototypes.size(), round.interpreted);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("generated main class not found", e);
            }
        }
    }

    /** {@code chunk:line} where the function starts (line 1 for the main chunk, whose linedefined is 0). */
    static String where(Prototype p) {
        return (p.source != null ? p.source.tojstring() : "?") + ":" + Math.max(1, p.linedefined)
                + (p.linedefined == 0 ? " (main chunk)" : "");
    }

    /** One attempt: the classes of every function not refused. */
    private static final class Round {
        final String pkg;
        final Set<Prototype> refused;
        final Map<String, byte[]> classes = new HashMap<>();
        final Map<String, Prototype> prototypes = new LinkedHashMap<>();
        /** Per class: pc -> constant index of the key of each field site. */
        final Map<String, Map<Integer, Integer>> sites = new HashMap<>();
        final List<String> interpreted = new ArrayList<>();

        /** {@link FunctionShape#typedArities} of every function of the chunk. */
        final int typedArities;

        Round(String pkg, Set<Prototype> refused, int typedArities) {
            this.pkg = pkg;
            this.refused = refused;
            this.typedArities = typedArities;
        }

        /** The class name of {@code p} once written, or null when it stays interpreted. Children first. */
        String compile(Prototype p, String name, Scope parent) {
            if (refused.contains(p)) {
                interpreted.add(where(p) + ": class refused earlier");
                return null;
            }
            String[] children = new String[p.p == null ? 0 : p.p.length];
            Scope scope = new Scope(p, children, parent);
            for (int i = 0; i < children.length; i++) {
                children[i] = compile(p.p[i], name + "_" + i, scope);
            }
            String className = pkg + name;
            try {
                FunctionShape shape = new FunctionShape(p);
                shape.typedArities = typedArities;
                java.util.function.IntFunction<InlineCallee> callees = u -> Scope.upvalueCallee(p, u, parent);
                FunctionWriter w = new FunctionWriter(shape, className, children).inlining(callees);
                byte[] bytes;
                try {
                    bytes = w.write();
                    if (CodeSizes.bodySize(bytes) > INLINE_CHARGES_FROM) {
                        // a big body: its charges spelled out, if that keeps it small enough for the JIT
                        FunctionWriter spelled = new FunctionWriter(shape, className, children, true, true).inlining(callees);
                        byte[] b = writeWithin(spelled, INLINE_CHARGES_LIMIT);
                        if (b != null) {
                            w = spelled;
                            bytes = b;
                        }
                    }
                } catch (MethodTooLargeException | LimitExceededException e) {
                    shape.ungroup(); // smaller code: one charge per instruction, each on meter.ticks (5-byte calls)
                    try {
                        w = new FunctionWriter(shape, className, children, true, false, false).inlining(callees);
                        bytes = w.write();
                    } catch (MethodTooLargeException | LimitExceededException e2) {
                        // smallest: without the numeric specialisation (the code this compiler wrote before it)
                        w = new FunctionWriter(shape, className, children, false, false, false);
                        bytes = w.write();
                    }
                }
                classes.put(className, bytes);
                sites.put(className, w.sites());
                prototypes.put(className, p);
                return className;
            } catch (UnsupportedShape e) {
                interpreted.add(where(p) + ": " + e.getMessage());
            } catch (MethodTooLargeException | LimitExceededException | org.objectweb.asm.ClassTooLargeException e) {
                // still too big with one charge per instruction (red team R6: the reason in words, no Java names)
                interpreted.add(where(p) + ": too large for one JVM method");
                LOG.debug("{} too large to compile", where(p), e);
            } catch (RuntimeException e) {
                interpreted.add(where(p) + ": the compiler cannot handle it");
                LOG.debug("{} not compiled", where(p), e);
            }
            return null;
        }
    }

    /**
     * A function being compiled, with the class names of its children compiled so far (a child's class is known to
     * the children after it): where the closure an upvalue holds is looked up for {@link InlineCallee}.
     */
    private static final class Scope {
        final Prototype p;
        final String[] children;
        final Scope parent;

        Scope(Prototype p, String[] children, Scope parent) {
            this.p = p;
            this.children = children;
            this.parent = parent;
        }

        /**
         * The plain callee held by upvalue {@code u} of {@code p} (a child of {@code parent}): the one closure the
         * enclosing function stores into the register the upvalue refers to, if compiled already and plain; else null.
         */
        static InlineCallee upvalueCallee(Prototype p, int u, Scope parent) {
            for (int depth = 0; parent != null && u >= 0 && u < p.upvalues.length && depth < 200; depth++) {
                org.luaj.vm2.Upvaldesc d = p.upvalues[u];
                if (d.instack) {
                    int bx = FunctionWriter.closureInto(parent.p.code, d.idx);
                    return bx >= 0 && bx < parent.children.length ? InlineCallee.of(parent.p.p[bx], parent.children[bx]) : null;
                }
                u = d.idx;
                p = parent.p;
                parent = parent.parent;
            }
            return null;
        }
    }

    /** The class {@code w} writes, or null when its body would be above {@code limit} bytes of bytecode. */
    private static byte[] writeWithin(FunctionWriter w, int limit) throws UnsupportedShape {
        try {
            byte[] bytes = w.write();
            return CodeSizes.bodySize(bytes) <= limit ? bytes : null;
        } catch (MethodTooLargeException | LimitExceededException e) {
            return null;
        }
    }

    /** A package per chunk: ASCII letters and digits of the chunk name (stack traces show it). */
    static String packageName(String chunkName) {
        StringBuilder sb = new StringBuilder(PACKAGE_ROOT);
        int kept = 0;
        for (int i = 0; i < chunkName.length() && kept < 48; i++) {
            char c = chunkName.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                sb.append(c);
                kept++;
            }
        }
        if (kept == 0) {
            sb.append("chunk");
        }
        return sb.append('/').toString();
    }

    /** Defines the generated classes of one chunk. */
    private static final class Loader extends ClassLoader {
        private final Map<String, byte[]> classes;

        Loader(ClassLoader parent, Map<String, byte[]> classes) {
            super(parent);
            this.classes = new HashMap<>(classes);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = classes.remove(name.replace('.', '/')); // defined once; the bytes are not kept
            if (bytes != null) {
                return defineClass(name, bytes, 0, bytes.length);
            }
            throw new ClassNotFoundException(name);
        }
    }
}
