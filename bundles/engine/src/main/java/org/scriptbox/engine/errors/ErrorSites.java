package org.scriptbox.engine.errors;

import org.luaj.vm2.Lua;
import org.luaj.vm2.Prototype;

/**
 * Which functions get culprit names. Naming needs the exact failing instruction: the interpreter knows
 * it; compiled code knows it because the compiler gives each instruction that can fail with a named
 * error a handler of its own (FunctionWriter's runs). A handler costs the JVM class a stack-map frame
 * of all the function's registers, so a function with very many such instructions and registers keeps
 * one handler per line instead, and then - in the interpreter too, so both modes say the same - its
 * errors carry Lua 5.4's words without the culprit's name.
 */
public final class ErrorSites {
    /** Named instructions times (registers + the compiler's own locals) a function may have. */
    static final int MAX_WEIGHT = 40_000;
    private static final int COMPILER_LOCALS = 12;

    private ErrorSites() {
    }

    /** Whether errors in {@code p} name their culprits (see the class comment). */
    public static boolean exact(Prototype p) {
        long named = 0;
        for (int i : p.code) {
            if (RuntimeErrorText.canName(i)) {
                named++;
            }
        }
        return named * (p.maxstacksize + COMPILER_LOCALS) <= MAX_WEIGHT;
    }

    /** Whether instruction {@code pc} of {@code p} starts a handler range of its own in compiled code. */
    public static boolean ownsHandler(Prototype p, int pc, boolean exact) {
        return exact && RuntimeErrorText.canName(p.code[pc]);
    }

    /** Lua 5.2 opcode of instruction {@code pc}. */
    static int op(Prototype p, int pc) {
        return Lua.GET_OPCODE(p.code[pc]);
    }
}
