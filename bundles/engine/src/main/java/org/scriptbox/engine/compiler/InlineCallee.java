package org.scriptbox.engine.compiler;

import static org.objectweb.asm.Opcodes.*;

import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaNumber;
import org.luaj.vm2.Prototype;
import org.objectweb.asm.MethodVisitor;

/**
 * A Lua function short and plain enough to be compiled into the call sites that call it with numbers (spectral's
 * {@code A(i, j)}: {@code return 1.0 / (ij * (ij - 1) * 0.5 + i)}): straight-line {@code MOVE}, {@code LOADK},
 * {@code ADD}, {@code SUB}, {@code MUL}, {@code DIV} and {@code UNM} on its parameters and number constants, ending in
 * {@code RETURN} of one register. Given numbers, such a body cannot raise an error, call anything, yield, read the
 * budget or see a metamethod, so the call site ({@code FunctionWriter.typedCall}) may run it on doubles in place of
 * the call: guarded by the closure's class (each prototype has one) and meter, charged as the call (the callee's
 * {@link #charged} instructions, only when they all fit the ticks left, so no check falls inside), with the call
 * level entered and left as the callee's prologue and epilogue do (the depth limit met at the same point). Any other
 * case (another function, a non-number argument, too few ticks) is the typed call as before.
 */
final class InlineCallee {
    /** Callees longer than this many instructions are called (their code is copied into every call site). */
    static final int MAX_INSTRUCTIONS = 16;
    /** Callee registers: each gets a double local of the caller's method. */
    static final int MAX_REGISTERS = 8;

    final String className;
    final Prototype p;
    /** The instructions the callee runs, its RETURN included: what the call would charge inside the callee. */
    final int charged;

    private InlineCallee(String className, Prototype p, int charged) {
        this.className = className;
        this.p = p;
        this.charged = charged;
    }

    /** The callee if {@code q}, compiled to {@code className} (null: stays interpreted), is of the plain kind. */
    static InlineCallee of(Prototype q, String className) {
        if (className == null || q == null || q.is_vararg != 0 || q.numparams < 1 || q.numparams > 3
                || q.maxstacksize > MAX_REGISTERS) {
            return null;
        }
        boolean[] defined = new boolean[MAX_REGISTERS];
        for (int r = 0; r < q.numparams; r++) {
            defined[r] = true;
        }
        for (int pc = 0; pc < q.code.length && pc < MAX_INSTRUCTIONS; pc++) {
            int i = q.code[pc];
            int a = Lua.GETARG_A(i);
            if (a >= q.maxstacksize) {
                return null;
            }
            switch (Lua.GET_OPCODE(i)) {
                case Lua.OP_MOVE:
                case Lua.OP_UNM:
                    if (!operand(q, defined, Lua.GETARG_B(i))) {
                        return null;
                    }
                    break;
                case Lua.OP_LOADK:
                    if (!operand(q, defined, Lua.GETARG_Bx(i) | 0x100)) {
                        return null;
                    }
                    break;
                case Lua.OP_ADD:
                case Lua.OP_SUB:
                case Lua.OP_MUL:
                case Lua.OP_DIV:
                    if (!operand(q, defined, Lua.GETARG_B(i)) || !operand(q, defined, Lua.GETARG_C(i))) {
                        return null;
                    }
                    break;
                case Lua.OP_RETURN:
                    return Lua.GETARG_B(i) == 2 && defined[a] ? new InlineCallee(className, q, pc + 1) : null;
                default:
                    return null;
            }
            defined[a] = true;
        }
        return null;
    }

    /** RK(x) is a register set before (a parameter or a result) or a number constant. */
    private static boolean operand(Prototype q, boolean[] defined, int x) {
        if (x > 0xff) {
            int k = x & 0xff;
            return k < q.k.length && q.k[k] instanceof LuaNumber;
        }
        return x < q.maxstacksize && defined[x];
    }

    /**
     * The body on doubles: the parameters in the caller's double locals {@code args}, the callee's registers in the
     * double locals from {@code regs} on (two slots each); leaves the returned number on the JVM stack. The same
     * double operations as the callee's own typed entry ({@code FunctionWriter.arith}/{@code unary}: no normalising,
     * a -0 stands for the integer 0 there too).
     */
    void emit(MethodVisitor mv, int[] args, int regs) {
        for (int j = 0; j < p.numparams; j++) {
            mv.visitVarInsn(DLOAD, args[j]);
            mv.visitVarInsn(DSTORE, regs + 2 * j);
        }
        for (int pc = 0; pc < charged; pc++) {
            int i = p.code[pc];
            int a = Lua.GETARG_A(i);
            switch (Lua.GET_OPCODE(i)) {
                case Lua.OP_MOVE:
                    load(mv, Lua.GETARG_B(i), regs);
                    break;
                case Lua.OP_UNM:
                    load(mv, Lua.GETARG_B(i), regs);
                    mv.visitInsn(DNEG);
                    break;
                case Lua.OP_LOADK:
                    load(mv, Lua.GETARG_Bx(i) | 0x100, regs);
                    break;
                case Lua.OP_ADD:
                case Lua.OP_SUB:
                case Lua.OP_MUL:
                case Lua.OP_DIV:
                    load(mv, Lua.GETARG_B(i), regs);
                    load(mv, Lua.GETARG_C(i), regs);
                    switch (Lua.GET_OPCODE(i)) {
                        case Lua.OP_ADD:
                            mv.visitInsn(DADD);
                            break;
                        case Lua.OP_SUB:
                            mv.visitInsn(DSUB);
                            break;
                        case Lua.OP_MUL:
                            mv.visitInsn(DMUL);
                            break;
                        default:
                            mv.visitMethodInsn(INVOKESTATIC, FunctionWriter.OPS, "div", "(DD)D", false);
                    }
                    break;
                default: // RETURN, the last one
                    load(mv, a, regs);
                    return;
            }
            mv.visitVarInsn(DSTORE, regs + 2 * a);
        }
    }

    private void load(MethodVisitor mv, int x, int regs) {
        if (x > 0xff) {
            mv.visitLdcInsn(p.k[x & 0xff].todouble());
        } else {
            mv.visitVarInsn(DLOAD, regs + 2 * x);
        }
    }
}
