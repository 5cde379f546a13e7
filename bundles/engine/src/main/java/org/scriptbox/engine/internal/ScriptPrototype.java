package org.scriptbox.engine.internal;

import org.luaj.vm2.Lua;
import org.luaj.vm2.Prototype;

/**
 * A compiled function that knows whether the budget must look at its instructions one by one: only
 * functions containing a concatenation ({@code ..}) or a table constructor list ({@code SETLIST}) need
 * that, and checking only those keeps the cost of the hot path low everywhere else. Made by copying
 * the prototype tree Luaj's compiler produces (its fields are public and never change afterwards).
 */
final class ScriptPrototype extends Prototype {
    /** The opcodes the budget checks before they run, as a bit set. */
    static final long CHECKED_OPS = (1L << Lua.OP_CONCAT) | (1L << Lua.OP_SETLIST);

    final boolean checked;
    /** {@link #code} if {@link #checked}, else {@code null}: what the budget keeps for the running frame. */
    final int[] checkedCode;

    private ScriptPrototype(Prototype source) {
        k = source.k;
        code = source.code;
        lineinfo = source.lineinfo;
        locvars = source.locvars;
        upvalues = source.upvalues;
        this.source = source.source;
        linedefined = source.linedefined;
        lastlinedefined = source.lastlinedefined;
        numparams = source.numparams;
        is_vararg = source.is_vararg;
        maxstacksize = source.maxstacksize;
        p = new Prototype[source.p.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = of(source.p[i]);
        }
        checked = containsCheckedOps(code);
        checkedCode = checked ? code : null;
    }

    static ScriptPrototype of(Prototype compiled) {
        return compiled instanceof ScriptPrototype ? (ScriptPrototype) compiled : new ScriptPrototype(compiled);
    }

    private static boolean containsCheckedOps(int[] code) {
        for (int instruction : code) {
            if (((1L << (instruction & 0x3f)) & CHECKED_OPS) != 0) {
                return true;
            }
        }
        return false;
    }
}
