package org.scriptbox.engine.compiler;

import java.util.ArrayDeque;
import java.util.BitSet;

import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaNumber;

/**
 * Which registers of a function may hold an <em>unboxed</em> number: a double in a JVM local of its own,
 * with the register's object local set to {@link Ops#UNBOXED}. Those are the registers written by
 * arithmetic ({@code ADD} .. {@code POW}, {@code UNM}), by a numeric {@code for} (its index, limit, step and
 * loop variable), by {@code LOADK} of a number (stored boxed, its double beside) and, transitively, by a
 * {@code MOVE} from such a register, when something reads them as numbers — never a register a closure
 * captures (it lives in the shared array). Any other use of such a register boxes the number first
 * ({@code LuaDouble.valueOf}, what the interpreter would have stored), so an unboxed number never escapes:
 * stored in a table, passed, returned or captured, it is the interpreter's value.
 *
 * <p>A forward data-flow over the code then says, before each instruction, which registers <em>may</em>
 * be unboxed ({@link #mayBeUnboxed}: only their reads need the box-on-use check) and which certainly have
 * their number in the double local ({@link #inDouble}: numeric-for variables, results of arithmetic on such
 * numbers and number constants — their arithmetic needs no type check and no generic path at all).
 *
 * <p><em>Either zero</em>: a double local stands for the number {@code LuaDouble.valueOf(d)}, so -0 and +0 both
 * stand for the integer 0 the interpreter holds there (Luaj boxes every result with {@code valueOf}, which makes -0
 * an integer 0). Results are therefore not normalised (adding 0.0 after every operation put 4 cycles on the critical
 * path of each): {@code +}, {@code -}, {@code *}, {@code /} (Luaj's division by a zero of either sign goes by the
 * sign of the dividend), {@code %}, unary minus, comparisons, {@code t[i]} ({@code (int) -0.0 == 0}), the boxes
 * ({@code valueOf}) and the table entries of {@code EngineTable.setFieldNum} (boxed with {@code valueOf} on every
 * read) give the same value whichever zero they get, up to the sign of a zero result. The two uses that can tell
 * the zeros apart get a normalised operand: the base of {@code ^} ({@code (-0)^-1} is -inf) and the argument of
 * a library function called unboxed.
 */
final class NumericRegisters {
    /** Per register: may hold an unboxed number somewhere in the function. */
    final boolean[] unboxable;
    private final BitSet[] may;
    private final BitSet[] sure;
    private final FunctionShape s;
    private final int nregs;

    /** {@code enabled} false: no register is unboxable (the writer's plain, smallest code). */
    NumericRegisters(FunctionShape s, int nregs, boolean enabled) {
        this(s, nregs, enabled, false);
    }

    /**
     * {@code numberParams}: for the typed entry ({@code CompiledFunction.callNum}), whose parameters arrive as
     * numbers: a parameter read as a number is unboxable and in its double at the first instruction.
     */
    NumericRegisters(FunctionShape s, int nregs, boolean enabled, boolean numberParams) {
        this.s = s;
        this.nregs = nregs;
        this.unboxable = enabled ? unboxable(s, nregs, numberParams) : new boolean[nregs];
        int n = s.code.length;
        may = new BitSet[n];
        sure = new BitSet[n];
        BitSet entry = new BitSet();
        for (int r = 0; numberParams && r < s.p.numparams && r < nregs; r++) {
            if (unboxable[r]) {
                entry.set(r);
            }
        }
        flow(entry);
    }

    /** Register {@code r} may be {@link Ops#UNBOXED} before instruction {@code pc}. */
    boolean mayBeUnboxed(int pc, int r) {
        return r < nregs && unboxable[r] && (may[pc] == null || may[pc].get(r)); // unreached: assume the worst
    }

    /** Register {@code r}'s number is in its double local before instruction {@code pc} (boxed or not). */
    boolean inDouble(int pc, int r) {
        return r < nregs && unboxable[r] && sure[pc] != null && sure[pc].get(r);
    }

    /** RK(x) is a number known before {@code pc} without a check: a number constant or {@link #inDouble}. */
    boolean knownNumber(int pc, int x) {
        if (x > 0xff) {
            int k = x & 0xff;
            return k < s.p.k.length && s.p.k[k] instanceof LuaNumber;
        }
        return inDouble(pc, x);
    }

    private void flow(BitSet entry) {
        int n = s.code.length;
        ArrayDeque<Integer> work = new ArrayDeque<>();
        may[0] = (BitSet) entry.clone();
        sure[0] = (BitSet) entry.clone();
        work.add(0);
        while (!work.isEmpty()) {
            int pc = work.poll();
            int i = s.code[pc];
            int op = Lua.GET_OPCODE(i);
            int a = Lua.GETARG_A(i);
            BitSet m = (BitSet) may[pc].clone();
            BitSet d = (BitSet) sure[pc].clone();
            transfer(pc, i, m, d);
            switch (op) {
                case Lua.OP_RETURN:
                case Lua.OP_TAILCALL:
                    break;
                case Lua.OP_JMP:
                case Lua.OP_FORPREP:
                    flowTo(pc + 1 + Lua.GETARG_sBx(i), m, d, work);
                    break;
                case Lua.OP_FORLOOP: {
                    flowTo(pc + 1, may[pc], sure[pc], work); // out: nothing written
                    BitSet lm = (BitSet) m.clone();
                    BitSet ld = (BitSet) d.clone();
                    for (int r : new int[] {a, a + 3}) {
                        clear(ld, r, r); // written on the loop edge: boxed by the generic path
                        if (r < nregs && unboxable[r]) {
                            lm.set(r);
                            if (forLoopFast(pc, a)) {
                                ld.set(r);
                            }
                        }
                    }
                    flowTo(pc + 1 + Lua.GETARG_sBx(i), lm, ld, work);
                    break;
                }
                case Lua.OP_TFORLOOP:
                    flowTo(pc + 1, m, d, work);
                    flowTo(pc + 1 + Lua.GETARG_sBx(i), m, d, work);
                    break;
                case Lua.OP_EQ:
                case Lua.OP_LT:
                case Lua.OP_LE:
                case Lua.OP_TEST:
                case Lua.OP_TESTSET:
                    flowTo(pc + 1, m, d, work);
                    flowTo(pc + 2, m, d, work);
                    break;
                case Lua.OP_LOADBOOL:
                    flowTo(Lua.GETARG_C(i) != 0 ? pc + 2 : pc + 1, m, d, work);
                    break;
                case Lua.OP_SETLIST:
                    flowTo(Lua.GETARG_C(i) == 0 ? pc + 2 : pc + 1, m, d, work);
                    break;
                default:
                    flowTo(pc + 1, m, d, work);
            }
        }
    }

    /** FORLOOP's index, limit and step are all in doubles: no type check, no generic path. */
    boolean forLoopFast(int pc, int a) {
        return inDouble(pc, a) && inDouble(pc, a + 1) && inDouble(pc, a + 2);
    }

    /**
     * Arithmetic at {@code pc} on numbers for certain: no metamethod, no coercion, no error — the writer
     * emits it as straight-line double code, so it may share a budget charge (FunctionShape's groups).
     */
    boolean quietArithmetic(int pc) {
        if (s.data[pc] || s.dead[pc]) {
            return false;
        }
        switch (Lua.GET_OPCODE(s.code[pc])) {
            case Lua.OP_ADD:
            case Lua.OP_SUB:
            case Lua.OP_MUL:
            case Lua.OP_DIV:
            case Lua.OP_MOD:
            case Lua.OP_POW:
            case Lua.OP_UNM:
                return arithFast(pc);
            default:
                return false;
        }
    }

    /** Both operands of arithmetic (or a comparison) at {@code pc} are known numbers. */
    boolean arithFast(int pc) {
        int i = s.code[pc];
        int op = Lua.GET_OPCODE(i);
        if (op == Lua.OP_UNM) {
            return knownNumber(pc, Lua.GETARG_B(i));
        }
        return knownNumber(pc, Lua.GETARG_B(i)) && knownNumber(pc, Lua.GETARG_C(i));
    }

    private void flowTo(int target, BitSet m, BitSet d, ArrayDeque<Integer> work) {
        if (target < 0 || target >= s.code.length || s.data[target]) {
            return;
        }
        if (may[target] == null) {
            may[target] = (BitSet) m.clone();
            sure[target] = (BitSet) d.clone();
            work.add(target);
            return;
        }
        BitSet nm = (BitSet) may[target].clone();
        nm.or(m);
        BitSet nd = (BitSet) sure[target].clone();
        nd.and(d);
        if (!nm.equals(may[target]) || !nd.equals(sure[target])) {
            may[target] = nm;
            sure[target] = nd;
            work.add(target);
        }
    }

    /**
     * The effect of instruction {@code i} on {@code m} (may be unboxed: grows only where a number is stored
     * unboxed, shrinks only where a box is certainly stored) and {@code d} (number in the double local: cleared
     * for every register the instruction may write otherwise). FORLOOP's loop edge is done by the caller.
     */
    private void transfer(int pc, int i, BitSet m, BitSet d) {
        int op = Lua.GET_OPCODE(i);
        int a = Lua.GETARG_A(i);
        int b = Lua.GETARG_B(i);
        int c = Lua.GETARG_C(i);
        switch (op) {
            case Lua.OP_ADD:
            case Lua.OP_SUB:
            case Lua.OP_MUL:
            case Lua.OP_DIV:
            case Lua.OP_MOD:
            case Lua.OP_POW:
            case Lua.OP_UNM: {
                boolean fast = arithFast(pc);
                clear(d, a, a);
                if (a < nregs && unboxable[a]) {
                    m.set(a);
                    if (fast) {
                        d.set(a);
                    }
                }
                break;
            }
            case Lua.OP_MOVE:
                if (a < nregs && b < nregs && unboxable[a] && unboxable[b]) {
                    m.set(a, m.get(b));
                    d.set(a, d.get(b));
                } else {
                    clear(m, a, a);
                    clear(d, a, a);
                }
                break;
            case Lua.OP_LOADK: {
                clear(m, a, a);
                clear(d, a, a);
                int k = Lua.GETARG_Bx(i);
                if (a < nregs && unboxable[a] && k < s.p.k.length && s.p.k[k] instanceof LuaNumber) {
                    d.set(a); // the writer stores the constant's double too
                }
                break;
            }
            case Lua.OP_FORPREP:
                clear(m, a + 1, a + 2);
                clear(d, a, a + 2);
                for (int r = a; r <= a + 2; r++) {
                    if (r < nregs && unboxable[r]) {
                        d.set(r);
                        if (r == a) {
                            m.set(r);
                        }
                    }
                }
                break;
            case Lua.OP_FORLOOP:
            case Lua.OP_JMP:
            case Lua.OP_EQ:
            case Lua.OP_LT:
            case Lua.OP_LE:
            case Lua.OP_TEST:
            case Lua.OP_SETTABUP:
            case Lua.OP_SETUPVAL:
            case Lua.OP_SETTABLE:
            case Lua.OP_SETLIST:
            case Lua.OP_RETURN:
            case Lua.OP_TAILCALL:
                break; // no register written (FORLOOP's loop edge: the caller)
            case Lua.OP_GETTABUP:
            case Lua.OP_GETTABLE:
                clear(d, a, a);
                if (a < nregs && unboxable[a] && constantStringKey(c)) {
                    m.set(a); // EngineTable.getFieldNum's number, or the box of the generic path
                } else {
                    clear(m, a, a);
                }
                break;
            case Lua.OP_LOADBOOL:
            case Lua.OP_GETUPVAL:
            case Lua.OP_NEWTABLE:
            case Lua.OP_NOT:
            case Lua.OP_LEN:
            case Lua.OP_CONCAT:
            case Lua.OP_CLOSURE:
                clear(m, a, a);
                clear(d, a, a);
                break;
            case Lua.OP_SELF:
                clear(m, a, a + 1);
                clear(d, a, a + 1);
                break;
            case Lua.OP_LOADNIL:
                clear(m, a, a + b);
                clear(d, a, a + b);
                break;
            case Lua.OP_CALL:
                if (c > 0) {
                    clear(m, a, a + c - 2);
                }
                clear(d, a, nregs - 1);
                if (numberResult(b, c) && a < nregs && unboxable[a]) {
                    m.set(a); // a NumberFunction's or a typed entry's result (FunctionWriter.numberCall, typedCall)
                }
                break;
            default: // TESTSET, VARARG, TFORCALL, TFORLOOP, anything else: may write from A up
                clear(d, a, nregs - 1);
        }
    }

    /**
     * A call with 1 to 3 arguments and one result ({@code CALL} B = 2..4, C = 2): the writer may call it unboxed
     * (a NumberFunction, a compiled function's typed entry), so its result may be an unboxed number.
     */
    static boolean numberResult(int b, int c) {
        return c == 2 && b >= 2 && b <= 4;
    }

    private boolean constantStringKey(int x) {
        return constantStringKey(s, x);
    }

    static boolean constantStringKey(FunctionShape s, int x) {
        return x > 0xff && (x & 0xff) < s.p.k.length && s.p.k[x & 0xff] instanceof org.luaj.vm2.LuaString;
    }

    private void clear(BitSet set, int from, int to) {
        int hi = Math.min(to, nregs - 1);
        if (from <= hi && from >= 0) {
            set.clear(from, hi + 1);
        }
    }

    /**
     * Registers written by arithmetic or a numeric for (or a MOVE from one) and read as a number somewhere
     * (arithmetic or comparison operand, the for's index, limit and step, or a MOVE to such a register).
     */
    static boolean[] unboxable(FunctionShape s, int nregs, boolean numberParams) {
        boolean[] u = new boolean[nregs];
        int[] code = s.code;
        for (int r = 0; numberParams && r < s.p.numparams; r++) {
            mark(s, u, r); // the typed entry's parameters arrive as numbers
        }
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
                case Lua.OP_LOADK: { // a number constant: its double is stored beside the box
                    int k = Lua.GETARG_Bx(i);
                    if (k < s.p.k.length && s.p.k[k] instanceof LuaNumber) {
                        mark(s, u, a);
                    }
                    break;
                }
                case Lua.OP_FORLOOP:
                    mark(s, u, a);
                    mark(s, u, a + 3);
                    break;
                case Lua.OP_CALL: // f(x..) with one result: a NumberFunction's (math.sqrt) or a typed entry's number
                    if (numberResult(Lua.GETARG_B(i), Lua.GETARG_C(i))) {
                        mark(s, u, a);
                    }
                    break;
                case Lua.OP_GETTABLE:
                case Lua.OP_GETTABUP: // a field with a constant name: the number of EngineTable.getFieldNum
                    if (constantStringKey(s, Lua.GETARG_C(i))) {
                        mark(s, u, a);
                    }
                    break;
                default:
                    break;
            }
        }
        // Only registers that something reads as a number gain from a double (a result only ever stored
        // or passed is boxed either way): fewer JVM locals and checks, so cheaper frames when compiling.
        boolean[] read = new boolean[nregs];
        for (int pc = 0; pc < code.length; pc++) {
            if (s.data[pc] || s.dead[pc]) {
                continue;
            }
            int i = code[pc];
            int a = Lua.GETARG_A(i);
            int b = Lua.GETARG_B(i);
            int c = Lua.GETARG_C(i);
            switch (Lua.GET_OPCODE(i)) {
                case Lua.OP_ADD:
                case Lua.OP_SUB:
                case Lua.OP_MUL:
                case Lua.OP_DIV:
                case Lua.OP_MOD:
                case Lua.OP_POW:
                case Lua.OP_EQ:
                case Lua.OP_LT:
                case Lua.OP_LE:
                    mark(s, read, b);
                    mark(s, read, c);
                    break;
                case Lua.OP_UNM:
                    mark(s, read, b);
                    break;
                case Lua.OP_CALL: // f(x..) with one result: x.. are numbers for a NumberFunction or a typed entry
                    if (numberResult(b, c)) {
                        for (int j = 1; j < b; j++) {
                            mark(s, read, a + j);
                        }
                    }
                    break;
                case Lua.OP_RETURN: // the typed entry returns its first result as a double
                    if (numberParams && b >= 2) {
                        mark(s, read, a);
                    }
                    break;
                case Lua.OP_FORLOOP:
                    mark(s, read, a);
                    mark(s, read, a + 1);
                    mark(s, read, a + 2);
                    // the loop variable too: held unboxed, it is boxed only where it is used as a value, so a
                    // loop that never uses it as one (or not at all) makes no LuaInteger per iteration
                    mark(s, read, a + 3);
                    break;
                default:
                    break;
            }
        }
        boolean grown = true;
        while (grown) { // a MOVE's source is read as a number when its target is
            grown = false;
            for (int pc = 0; pc < code.length; pc++) {
                int i = code[pc];
                if (s.data[pc] || s.dead[pc] || Lua.GET_OPCODE(i) != Lua.OP_MOVE) {
                    continue;
                }
                int a = Lua.GETARG_A(i);
                int b = Lua.GETARG_B(i);
                if (a < nregs && b < nregs && read[a] && !read[b] && !s.captured(b)) {
                    read[b] = true;
                    grown = true;
                }
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
        for (int r = 0; r < nregs; r++) {
            u[r] &= read[r];
        }
        return u;
    }

    private static void mark(FunctionShape s, boolean[] u, int r) {
        if (r >= 0 && r < u.length && !s.captured(r)) {
            u[r] = true;
        }
    }
}
