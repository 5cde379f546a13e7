package org.scriptbox.engine.compiler;

import org.luaj.vm2.Lua;

/**
 * Which registers of a function may hold an <em>unboxed</em> number: a double in a JVM local of its own,
 * with the register's object local set to {@link Ops#UNBOXED}. Those are the registers written by
 * arithmetic ({@code ADD} .. {@code POW}, {@code UNM}), by a numeric {@code for} (its index, limit, step and
 * loop variable) and, transitively, by a {@code MOVE} from such a register — never a register a closure
 * captures (it lives in the shared array). Any other use of such a register boxes the number first
 * ({@code LuaDouble.valueOf}, what the interpreter would have stored), so an unboxed number never escapes:
 * stored in a table, passed, returned or captured, it is the interpreter's value.
 */
final class NumericRegisters {
    private NumericRegisters() {
    }

    static boolean[] unboxable(FunctionShape s, int nregs) {
        boolean[] u = new boolean[nregs];
        int[] code = s.code;
        for (int pc = 0; pc < code.length; pc++) {
            if (s.data[pc] || s.dead[pc]) {
                continue;
            }
            int i = code[pc];
            int a = Lua.GETARG_A(i);
            switch (Lua.GET_OPCODE(i)) {
                case Lua.OP_ADD:
                case Lua.OP_SUB:
                case Lua.OP_MUL:
                case Lua.OP_DIV:
                case Lua.OP_MOD:
                case Lua.OP_POW:
                case Lua.OP_UNM:
                    mark(s, u, a);
                    break;
                case Lua.OP_FORPREP:
                    mark(s, u, a);
                    mark(s, u, a + 1);
                    mark(s, u, a + 2);
                    break;
                case Lua.OP_FORLOOP:
                    mark(s, u, a);
                    mark(s, u, a + 3);
                    break;
                default:
                    break;
            }
        }
        // a MOVE copies the double along with the box: its target may hold an unboxed number too
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int pc = 0; pc < code.length; pc++) {
                int i = code[pc];
                if (s.data[pc] || s.dead[pc] || Lua.GET_OPCODE(i) != Lua.OP_MOVE) {
                    continue;
                }
                int a = Lua.GETARG_A(i);
                int b = Lua.GETARG_B(i);
                if (b < nregs && u[b] && a < nregs && !u[a] && !s.captured(a)) {
                    u[a] = true;
                    changed = true;
                }
            }
        }
        return u;
    }

    private static void mark(FunctionShape s, boolean[] u, int r) {
        if (r >= 0 && r < u.length && !s.captured(r)) {
            u[r] = true;
        }
    }
}
