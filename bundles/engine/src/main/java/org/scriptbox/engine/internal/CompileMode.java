package org.scriptbox.engine.internal;

import java.util.Locale;

/**
 * How the engine runs scripts: the metered interpreter, or JVM classes built by the engine's own compiler
 * (org.scriptbox.engine.compiler, on ASM) with the same budget, counting exactly like the interpreter
 * (docs/engine.md). Every mode runs under the same limits, with the same results and instruction counts.
 */
enum CompileMode {
    /** Always the interpreter. */
    INTERPRETED,
    /**
     * The default: a script starts interpreted; once its executions have run a threshold of Lua
     * instructions in total, its classes are built on the engine's background thread, and executions that
     * start after that run compiled (a function the compiler does not handle stays interpreted). Idle and
     * light scripts never pay for classes (metaspace, build time).
     */
    ADAPTIVE,
    /**
     * Classes built within {@code compile} (at deploy) for every script; a function the compiler does not
     * handle stays interpreted, the rest of the script runs compiled.
     */
    ASM,
    /** For tests: {@link #ASM}, and a function that would stay interpreted is a compile error. */
    ASM_STRICT;

    /** Every accepted name, for messages. */
    static final String NAMES = "interpreted, adaptive, asm or asm-strict";

    /** The name used in configuration: {@code adaptive}, {@code asm-strict}, ... */
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
        throw new IllegalArgumentException("unknown compile mode \"" + text + "\" (" + NAMES + ")");
    }

    boolean buildsWithinCompile() {
        return this == ASM || this == ASM_STRICT;
    }
}
