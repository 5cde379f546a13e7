package org.luaj.vm2.luajc;

import org.luaj.vm2.Lua;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Upvaldesc;

/**
 * scriptbox: code shapes Luaj 3.0.1's LuaJC compiles wrongly, refused before generation so that such
 * scripts stay on the interpreter (same limits, right results). Found by differential fuzzing (random
 * programs, compiled vs interpreted; DifferentialFuzzTest): a closure that captures a local of its parent
 * and is created inside one of the parent's loops may get a stale copy of that local, or the local a value
 * of the wrong type (test resources redteam/luajc-stale-upvalue.lua, luajc-loop-counter-type.lua).
 */
final class KnownMiscompiles {
    private KnownMiscompiles() {
    }

    /** @throws IllegalStateException naming the first refused shape in {@code p} or its functions */
    static void check(Prototype p) {
        int[] code = p.code;
        for (int pc = 0; pc < code.length; pc++) {
            int i = code[pc];
            if (Lua.GET_OPCODE(i) == Lua.OP_CLOSURE && capturesLocals(p.p[Lua.GETARG_Bx(i)]) && insideLoop(code, pc)) {
                throw new IllegalStateException("a closure capturing locals is created inside a loop (line "
                        + (p.lineinfo != null && pc < p.lineinfo.length ? p.lineinfo[pc] : 0)
                        + "): a shape LuaJC compiles wrongly");
            }
        }
        for (Prototype child : p.p) {
            check(child);
        }
    }

    private static boolean capturesLocals(Prototype child) {
        for (Upvaldesc u : child.upvalues) {
            if (u.instack) {
                return true;
            }
        }
        return false;
    }

    /** Whether a backward jump at or after {@code pc} leads to or before it: {@code pc} may run again. */
    private static boolean insideLoop(int[] code, int pc) {
        for (int j = pc; j < code.length; j++) {
            int op = Lua.GET_OPCODE(code[j]);
            if (op == Lua.OP_JMP || op == Lua.OP_FORLOOP || op == Lua.OP_TFORLOOP) {
                int target = j + 1 + Lua.GETARG_sBx(code[j]);
                if (target <= pc) {
                    return true;
                }
            }
        }
        return false;
    }
}
