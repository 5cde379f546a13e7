package org.scriptbox.engine.internal;

import java.util.Locale;

/**
 * How the engine runs scripts: the metered interpreter, or JVM classes built by Luaj's LuaJC with the
 * same budget woven in (docs/performance-engine.md). Every mode runs under the same limits.
 */
enum CompileMode {
    /** Always the interpreter. */
    INTERPRETED,
    /**
     * The default: a script starts interpreted; once its executions have run a threshold of Lua
     * instructions in total, its classes are built on the engine's background thread, and executions that
     * start after that run compiled. Idle and light scripts never pay for classes (metaspace, build time).
     */
    ADAPTIVE,
    /** Every script's classes are built on the background thread right after it is compiled. */
    COMPILED,
    /** Classes built within {@code compile} (embedders, the benchmark harness); LuaJC failures run interpreted. */
    COMPILED_NOW,
    /** For tests: classes built within {@code compile}, and a script LuaJC cannot compile is a compile error. */
    COMPILED_STRICT,
    /**
     * Not the default yet: the engine's own compiler (org.scriptbox.engine.compiler, on ASM) within
     * {@code compile}; counts exactly like the interpreter; a function it does not handle stays interpreted.
     */
    ASM,
    /** For tests: {@link #ASM}, and a function that would stay interpreted is a compile error. */
    ASM_STRICT;

    /** The name used in configuration: {@code adaptive}, {@code compiled-strict}, ... */
    String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @throws IllegalArgumentException naming the accepted values */
    static CompileMode parse(String text) {
        for (CompileMode m : values()) {
            if (m.id().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown compile mode \"" + text
                + "\" (interpreted, adaptive, compiled, compiled-now, compiled-strict, asm or asm-strict)");
    }

    boolean buildsWithinCompile() {
        return this == COMPILED_NOW || this == COMPILED_STRICT || this == ASM || this == ASM_STRICT;
    }

    /** The engine's own compiler rather than LuaJC. */
    boolean usesOwnCompiler() {
        return this == ASM || this == ASM_STRICT;
    }
}
