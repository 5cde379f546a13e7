package org.scriptbox.engine.compiler;

import org.luaj.vm2.Lua;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Upvaldesc;

/**
 * What the writer needs to know about one prototype's code before emitting it: where basic blocks start,
 * how instructions are grouped for the budget charge, which registers closures capture, and whether the
 * compiler handles the function at all.
 *
 * <p>Charges: the interpreter decrements the budget's {@code ticks} once per instruction and calls
 * {@code tick()} when it reaches zero. Compiled code charges a <em>group</em> at once — instructions that
 * cannot observe the budget (no metamethod, no call, no error: {@link #isQuiet}) followed by the one that
 * may — when the whole group fits in the remaining ticks; otherwise it takes a slow path that charges the
 * group's instructions one by one, as the interpreter does. Counts, the instruction at which a check runs
 * and the position of a limit error are therefore the interpreter's exactly.
 */
final class FunctionShape {
    final Prototype p;
    /**
     * Bit n set: some call site of the chunk may call a function with n numbers (1..3) through its typed entry
     * ({@link #typedCallArities}); a function of n parameters gets one only then. All by default.
     */
    int typedArities = 0b1110;
    final int[] code;
    /** The second word of a SETLIST with C = 0: data, not an instruction. */
    final boolean[] data;
    /** First instruction of a basic block. */
    final boolean[] leader;
    /** Reached by a jump (not only by falling through from the instruction before). */
    final boolean[] targeted;
    /** For the first instruction of a charge group: its last instruction; -1 elsewhere. */
    final int[] groupEnd;
    /** Registers captured as upvalues by closures this function creates: they live in an array. */
    private final boolean[] captured;
    final boolean anyCaptured;
    /** The {@code RETURN} Luaj emits after a {@code TAILCALL}: never reached. */
    final boolean[] dead;

    FunctionShape(Prototype p) throws UnsupportedShape {
        this.p = p;
        this.code = p.code;
        int n = code.length;
        data = new boolean[n];
        leader = new boolean[n + 2];
        targeted = new boolean[n + 2];
        groupEnd = new int[n];
        dead = new boolean[n];
        captured = new boolean[Math.max(1, p.maxstacksize)];
        boolean any = false;
        if (n == 0) {
            throw new UnsupportedShape("no code");
        }
        leader[0] = true;
        for (int pc = 0; pc < n; pc++) {
            if (data[pc]) {
                continue;
            }
            int i = code[pc];
            int op = Lua.GET_OPCODE(i);
            switch (op) {
                case Lua.OP_JMP:
                case Lua.OP_FORPREP:
                    target(pc + 1 + Lua.GETARG_sBx(i), n);
                    leader[pc + 1] = true;
                    break;
                case Lua.OP_FORLOOP:
                case Lua.OP_TFORLOOP:
                    target(pc + 1 + Lua.GETARG_sBx(i), n);
                    leader[pc + 1] = true;
                    break;
                case Lua.OP_EQ:
                case Lua.OP_LT:
                case Lua.OP_LE:
                case Lua.OP_TEST:
                case Lua.OP_TESTSET:
                    target(pc + 2, n);
                    leader[pc + 1] = true;
                    break;
                case Lua.OP_LOADBOOL:
                    if (Lua.GETARG_C(i) != 0) {
                        target(pc + 2, n);
                        leader[pc + 1] = true;
                    }
                    break;
                case Lua.OP_RETURN:
                case Lua.OP_TAILCALL:
                    leader[pc + 1] = true;
                    break;
                case Lua.OP_SETLIST:
                    if (Lua.GETARG_C(i) == 0) {
                        if (pc + 1 >= n) {
                            throw new UnsupportedShape("SETLIST without its count");
                        }
                        data[pc + 1] = true;
                        leader[pc + 2] = true;
                    }
                    break;
                case Lua.OP_CLOSURE: {
                    int bx = Lua.GETARG_Bx(i);
                    if (p.p == null || bx >= p.p.length) {
                        throw new UnsupportedShape("CLOSURE of a missing prototype");
                    }
                    for (Upvaldesc u : p.p[bx].upvalues) {
                        if (u.instack) {
                            if (u.idx >= captured.length) {
                                throw new UnsupportedShape("upvalue of a register outside the frame");
                            }
                            captured[u.idx] = true;
                            any = true;
                        }
                    }
                    break;
                }
                case Lua.OP_LOADKX:
                case Lua.OP_EXTRAARG:
                    throw new UnsupportedShape("opcode " + op);
                default:
                    if (op > Lua.OP_EXTRAARG) {
                        throw new UnsupportedShape("opcode " + op);
                    }
            }
        }
        anyCaptured = any;
        for (int pc = 0; pc < n; pc++) {
            if (!data[pc] && Lua.GET_OPCODE(code[pc]) == Lua.OP_RETURN && pc > 0 && !data[pc - 1]
                    && Lua.GET_OPCODE(code[pc - 1]) == Lua.OP_TAILCALL && !targeted[pc]) {
                dead[pc] = true;
                continue;
            }
            if (!data[pc] && opensFromBefore(code[pc]) && (pc == 0 || targeted[pc] || !opens(code[pc - 1]) || data[pc - 1])) {
                throw new UnsupportedShape("open results not made by the instruction before (pc " + pc + ")");
            }
        }
        groups(n);
    }

    private void target(int t, int n) throws UnsupportedShape {
        if (t < 0 || t >= n) {
            throw new UnsupportedShape("jump outside the code");
        }
        leader[t] = true;
        targeted[t] = true;
    }

    private void groups(int n) {
        groups(n, pc -> isQuiet(code[pc]));
    }

    /**
     * Groups again with more instructions counted as quiet (arithmetic the writer proved to be on numbers:
     * no metamethod, no error); a no-op once {@link #ungroup} has been called.
     */
    void regroup(java.util.function.IntPredicate quiet) {
        if (!ungrouped) {
            groups(code.length, quiet);
        }
    }

    private boolean ungrouped;

    private void groups(int n, java.util.function.IntPredicate quiet) {
        java.util.Arrays.fill(groupEnd, -1);
        int pc = 0;
        while (pc < n) {
            if (data[pc] || dead[pc]) {
                pc++;
                continue;
            }
            int start = pc;
            while (quiet.test(pc) && pc + 1 < n && !leader[pc + 1] && !data[pc + 1] && !dead[pc + 1]) {
                pc++;
            }
            groupEnd[start] = pc;
            pc++;
        }
    }

    /**
     * Charges every instruction on its own (no slow paths, whose copies of quiet instructions make the code
     * bigger): for a function whose grouped code does not fit in one JVM method. Counts stay exact.
     */
    void ungroup() {
        ungrouped = true;
        for (int pc = 0; pc < groupEnd.length; pc++) {
            groupEnd[pc] = data[pc] || dead[pc] ? -1 : pc;
        }
    }

    boolean captured(int register) {
        return register < captured.length && captured[register];
    }

    /** Instructions in the group that starts at {@code start} (data words excluded: none inside a group). */
    int groupSize(int start) {
        return groupEnd[start] - start + 1;
    }

    /**
     * An instruction that cannot observe or change the budget (no call, metamethod, library code, error or
     * branch), so that its charge may be taken together with the instructions after it.
     */
    static boolean isQuiet(int i) {
        switch (Lua.GET_OPCODE(i)) {
            case Lua.OP_MOVE:
            case Lua.OP_LOADK:
            case Lua.OP_LOADNIL:
            case Lua.OP_GETUPVAL:
            case Lua.OP_SETUPVAL:
            case Lua.OP_NOT:
                return true;
            // not OP_CLOSURE: making a closure charges per upvalue (Meter.closureMade), so it may reach a check
            case Lua.OP_LOADBOOL:
                return Lua.GETARG_C(i) == 0;
            default:
                return false;
        }
    }

    /**
     * The instruction as a whole may read or change the budget's ticks (a call, a return, a library or VM helper
     * that charges or fails), so the writer writes its ticks local out before it and reads it back after it. The
     * others run no such code or bracket their rarely taken generic paths themselves (table accesses, arithmetic,
     * comparisons, FORPREP's checks), so that a field-cache hit or arithmetic on numbers touches no memory for the
     * budget. Everything else is bracketed: VARARG (its values are charged by their number, {@code Meter.passed};
     * red team E20), and any opcode not named here, so a helper that starts to charge cannot lose its charges.
     */
    static boolean needsSync(int i) {
        switch (Lua.GET_OPCODE(i)) {
            case Lua.OP_MOVE:
            case Lua.OP_LOADK:
            case Lua.OP_LOADBOOL:
            case Lua.OP_LOADNIL:
            case Lua.OP_GETUPVAL:
            case Lua.OP_SETUPVAL:
            case Lua.OP_NOT:
            case Lua.OP_JMP:
            case Lua.OP_TEST:
            case Lua.OP_TESTSET:
            case Lua.OP_TFORLOOP:
            case Lua.OP_FORLOOP: // its generic path (Ops.forNext) adds and compares numbers only
                return false;
            case Lua.OP_GETTABUP:
            case Lua.OP_GETTABLE:
            case Lua.OP_SETTABUP:
            case Lua.OP_SETTABLE:
            case Lua.OP_SELF:
            case Lua.OP_ADD:
            case Lua.OP_SUB:
            case Lua.OP_MUL:
            case Lua.OP_DIV:
            case Lua.OP_MOD:
            case Lua.OP_POW:
            case Lua.OP_UNM:
            case Lua.OP_EQ:
            case Lua.OP_LT:
            case Lua.OP_LE:
            case Lua.OP_FORPREP:
                return false; // bracket their own generic paths
            default:
                return true;
        }
    }

    /**
     * The numbers of arguments (bits 1..3) of the call sites in {@code p} and the functions inside it that may take a
     * typed entry ({@code CALL} with 1 to 3 arguments and one result): a function of another arity never gets a call
     * of its own entry from this chunk, so it needs none (compile time).
     */
    static int typedCallArities(Prototype p) {
        int mask = 0;
        for (int i : p.code) {
            if (Lua.GET_OPCODE(i) == Lua.OP_CALL && NumericRegisters.numberResult(Lua.GETARG_B(i), Lua.GETARG_C(i))) {
                mask |= 1 << (Lua.GETARG_B(i) - 1);
            }
        }
        if (p.p != null) {
            for (Prototype c : p.p) {
                mask |= typedCallArities(c);
            }
        }
        return mask;
    }

    /** Leaves an open number of results (the interpreter's {@code top}) for the next instruction. */
    static boolean opens(int i) {
        int op = Lua.GET_OPCODE(i);
        return (op == Lua.OP_CALL && Lua.GETARG_C(i) == 0) || (op == Lua.OP_VARARG && Lua.GETARG_B(i) == 0);
    }

    /** Takes the open results of the instruction before (B = 0). */
    static boolean opensFromBefore(int i) {
        int op = Lua.GET_OPCODE(i);
        return (op == Lua.OP_CALL || op == Lua.OP_TAILCALL || op == Lua.OP_RETURN || op == Lua.OP_SETLIST)
                && Lua.GETARG_B(i) == 0;
    }
}
