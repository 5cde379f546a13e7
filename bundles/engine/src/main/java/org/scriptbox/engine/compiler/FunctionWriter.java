package org.scriptbox.engine.compiler;

import static org.objectweb.asm.Opcodes.*;

import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Upvaldesc;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Writes the JVM class of one prototype. The generated body is the interpreter loop unrolled for this
 * function's code: for each instruction, the same Luaj calls in the same order as the matching case of
 * {@code MeteredClosure.execute}, with the budget charge, call depth and error frames the interpreter has
 * (see {@link FunctionShape} for the charges). Registers live in JVM locals, except those that closures
 * capture: they live in an array, with open upvalues on it as in the interpreter.
 *
 * <p>Each instruction's bytecode has an exception-table entry whose handler passes that instruction's pc
 * to {@code Meter.compiledUnwind} (position, traceback line, frames of a limit error, end of the depth
 * count): nothing is stored on the hot path for positions.
 */
final class FunctionWriter {
    static final String BASE = "org/scriptbox/engine/compiler/CompiledFunction";
    static final String OPS = "org/scriptbox/engine/compiler/Ops";
    static final String ARITHMETIC = "org/scriptbox/engine/vm/Arithmetic";
    static final String D_METER = "Lorg/scriptbox/engine/vm/Meter;";
    static final String LV = "org/luaj/vm2/LuaValue";
    static final String VA = "org/luaj/vm2/Varargs";
    static final String UV = "org/luaj/vm2/UpValue";
    static final String METER = "org/scriptbox/engine/vm/Meter";
    static final String PROTO = "org/luaj/vm2/Prototype";
    static final String GLOBALS = "org/luaj/vm2/Globals";
    static final String D_LV = "L" + LV + ";";
    static final String D_VA = "L" + VA + ";";
    static final String D_PROTO = "L" + PROTO + ";";
    static final String CTOR = "(L" + METER + ";L" + GLOBALS + ";[L" + UV + ";)V";
    static final String FIELD_PROTOTYPE = "P";
    static final String FIELD_CONSTANTS = "K";
    /**
     * The static field of the {@code vm.FieldSite} of the table access with a constant string key at a pc (key and
     * field cache; {@link AsmCompiler} sets them with the constants).
     */
    static final String FIELD_SITE = "S";
    private static final String SITE = "org/scriptbox/engine/vm/FieldSite";
    private static final String D_SITE = "L" + SITE + ";";
    private static final String TABLE = "org/scriptbox/engine/vm/EngineTable";

    private final FunctionShape s;
    private final Prototype p;
    private final String className;
    /** Class names of the child prototypes, null for a child that stays interpreted. */
    private final String[] children;
    private final int nregs;
    private final int np;

    // local variable slots of the body
    private final int lVarargs;
    private final int lStack;
    private final int lOpen;
    private final int lV;
    private final int lMeter;
    private final int lK;
    private final int lPc;
    private final int lThrown;
    private final int lT1;
    private final int lT2;
    private final int lT3;
    /** Double temporaries of the numeric fast paths (two slots each). */
    private final int lD1;
    private final int lD2;
    private final int lD3;
    /**
     * The budget's {@code ticks} while the body runs ({@link #syncOut}): charges decrement this int local, which
     * the JIT keeps in a register; {@code meter.ticks} is written before anything that may read or change it.
     */
    private final int lTicks;
    /** The first of {@link InlineCallee#MAX_REGISTERS} double locals for the registers of an inlined callee. */
    private final int lInline;
    /** The callee an upvalue holds if it is a plain one ({@link InlineCallee}), by upvalue index; null: none known. */
    private java.util.function.IntFunction<InlineCallee> upvalueCallees = u -> null;
    /** Per register: the slot of its double, or -1 for a register that never holds an unboxed number. */
    private final int[] dslot;
    private final NumericRegisters numbers;
    private final boolean numeric;
    private final boolean inlineCharges;
    /** Charges on the ticks local {@link #lTicks} (else on {@code meter.ticks}, {@link #syncOut} emitting nothing). */
    private final boolean localTicks;
    /** Writes the typed entry {@code callNum} (parameters and result as doubles) instead of {@code body}. */
    private final boolean typed;
    /** The instructions this writer charges together with the next (null: the shape's own grouping). */
    private final java.util.function.IntPredicate quiet;
    /** The instruction being emitted (the data-flow facts of {@link #numbers} are per instruction). */
    private int at;
    /** pc -> constant index of the key, for each field site the code reads ({@link #site}). */
    private final java.util.Map<Integer, Integer> sites = new java.util.TreeMap<>();

    private MethodVisitor mv;
    private int[] run;
    private boolean[] needStart;
    private boolean[] needEnd;
    private boolean[] needBody;
    private Label[] start;
    private Label[] body;
    private Label[] end;
    private Label[] handler;
    private Label[] slow;
    private Label[] slowEnd;

    FunctionWriter(FunctionShape s, String className, String[] children) {
        this(s, className, children, true);
    }

    /**
     * {@code numeric} false: no numeric specialisation (the plain calls of the interpreter for every
     * arithmetic, comparison and for loop): the smallest code, for a function too big for one JVM method
     * otherwise.
     */
    FunctionWriter(FunctionShape s, String className, String[] children, boolean numeric) {
        this(s, className, children, numeric, false);
    }

    /** {@code inlineCharges}: each instruction's charge spelled out in the body ({@link #charge1()}). */
    FunctionWriter(FunctionShape s, String className, String[] children, boolean numeric, boolean inlineCharges) {
        this(s, className, children, numeric, inlineCharges, true);
    }

    /**
     * {@code localTicks} false: every charge on {@code meter.ticks} itself (5-byte calls, no writing out around calls):
     * the smallest code, for a function too big for one JVM method otherwise.
     */
    FunctionWriter(FunctionShape s, String className, String[] children, boolean numeric, boolean inlineCharges,
            boolean localTicks) {
        this(s, className, children, numeric, inlineCharges, localTicks, false);
    }

    /** {@code typed}: the writer of the typed entry ({@link #TYPED_ENTRY}), not of the class. */
    private FunctionWriter(FunctionShape s, String className, String[] children, boolean numeric, boolean inlineCharges,
            boolean localTicks, boolean typed) {
        this.localTicks = localTicks;
        this.typed = typed;
        this.inlineCharges = inlineCharges;
        this.numeric = numeric;
        this.s = s;
        this.p = s.p;
        this.className = className;
        this.children = children;
        this.np = p.numparams;
        this.nregs = Math.max(p.maxstacksize, np);
        int next = 1 + Math.max(nregs, np + 1);
        lVarargs = next++;
        lStack = next++;
        lOpen = next++;
        lV = next++;
        lMeter = next++;
        lK = next++;
        lPc = next++;
        lThrown = next++;
        lT1 = next++;
        lT2 = next++;
        lT3 = next++;
        lD1 = next;
        next += 2;
        lD2 = next;
        next += 2;
        lD3 = next;
        next += 2;
        lTicks = next++;
        numbers = new NumericRegisters(s, nregs, numeric, typed);
        if (numeric) {
            // arithmetic on numbers for certain cannot observe the budget: charged with the instructions after it
            quiet = pc -> FunctionShape.isQuiet(s.code[pc]) || numbers.quietArithmetic(pc);
            s.regroup(quiet);
        } else {
            quiet = null;
        }
        boolean[] unboxable = numbers.unboxable;
        dslot = new int[nregs];
        for (int r = 0; r < nregs; r++) {
            if (unboxable[r]) {
                dslot[r] = next;
                next += 2;
            } else {
                dslot[r] = -1;
            }
        }
        lInline = next;
    }

    /** Where the plain callees of upvalues are known ({@link InlineCallee}): their call sites may inline them. */
    FunctionWriter inlining(java.util.function.IntFunction<InlineCallee> upvalueCallees) {
        this.upvalueCallees = upvalueCallees;
        return this;
    }

    /** After {@link #write}: pc -> constant index of the key of each field site ({@link #FIELD_SITE}). */
    java.util.Map<Integer, Integer> sites() {
        return java.util.Collections.unmodifiableMap(sites);
    }

    byte[] write() throws UnsupportedShape {
        ClassWriter cw = new FrameComputingWriter();
        cw.visit(V1_8, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, className, null, BASE, null);
        String source = p.source != null ? p.source.tojstring() : "?";
        cw.visitSource(source.length() > 200 ? source.substring(0, 200) : source, null);
        cw.visitField(ACC_PUBLIC | ACC_STATIC, FIELD_PROTOTYPE, D_PROTO, null, null).visitEnd();
        cw.visitField(ACC_PUBLIC | ACC_STATIC, FIELD_CONSTANTS, "[" + D_LV, null, null).visitEnd();
        constructor(cw);
        entryPoints(cw);
        bodyMethod(cw);
        if (wantsTypedEntry()) {
            // a second body for callers with numbers: its own registers, numbers and groups (the shape's grouping
            // is regrouped for it, and again by each writer's bodyMethod)
            FunctionWriter t = new FunctionWriter(s, className, children, numeric, inlineCharges, localTicks, true)
                    .inlining(upvalueCallees);
            t.bodyMethod(cw);
            sites.putAll(t.sites);
        }
        for (int pc : sites.keySet()) {
            cw.visitField(ACC_PUBLIC | ACC_STATIC, FIELD_SITE + pc, D_SITE, null, null).visitEnd();
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    private void constructor(ClassWriter cw) {
        MethodVisitor m = cw.visitMethod(ACC_PUBLIC, "<init>", CTOR, null, null);
        m.visitCode();
        m.visitVarInsn(ALOAD, 0);
        m.visitFieldInsn(GETSTATIC, className, FIELD_PROTOTYPE, D_PROTO);
        m.visitVarInsn(ALOAD, 1);
        m.visitVarInsn(ALOAD, 2);
        m.visitVarInsn(ALOAD, 3);
        m.visitMethodInsn(INVOKESPECIAL, BASE, "<init>", "(" + D_PROTO + "L" + METER + ";L" + GLOBALS + ";[L" + UV + ";)V", false);
        m.visitInsn(RETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
    }

    private String bodyDescriptor() {
        StringBuilder d = new StringBuilder("(");
        for (int i = 0; i < np; i++) {
            d.append(D_LV);
        }
        return d.append(D_VA).append(")").append(D_VA).toString();
    }

    // ---- entry points: how LuaClosure places arguments -----------------------------------------

    /** Pushes the body's arguments: parameter j from {@code argSlot[j]} (0: nil), then the varargs. */
    private interface Varargs {
        void push(MethodVisitor m);
    }

    private void callBody(MethodVisitor m, int[] argSlots, Varargs varargs) {
        m.visitVarInsn(ALOAD, 0);
        for (int j = 0; j < np; j++) {
            if (j < argSlots.length && argSlots[j] > 0) {
                m.visitVarInsn(ALOAD, argSlots[j]);
            } else {
                m.visitFieldInsn(GETSTATIC, LV, "NIL", D_LV);
            }
        }
        varargs.push(m);
        m.visitMethodInsn(INVOKESPECIAL, className, "body", bodyDescriptor(), false);
    }

    private static Varargs none() {
        return m -> m.visitFieldInsn(GETSTATIC, LV, "NONE", D_LV);
    }

    private static Varargs slot(int slot) {
        return m -> m.visitVarInsn(ALOAD, slot);
    }

    /** {@code varargsOf} of the argument slots given, or NONE when the function takes no varargs. */
    private Varargs packed(int... slots) {
        if (p.is_vararg == 0) {
            return none();
        }
        return m -> {
            for (int sl : slots) {
                m.visitVarInsn(ALOAD, sl);
            }
            String d = slots.length == 2 ? "(" + D_LV + D_LV + ")" + D_VA : "(" + D_LV + D_LV + D_LV + ")" + D_VA;
            m.visitMethodInsn(INVOKESTATIC, OPS, "args", d, false);
        };
    }

    private void entryPoints(ClassWriter cw) {
        // call()
        MethodVisitor m = begin(cw, "call", "()" + D_LV);
        callBody(m, new int[0], none());
        arg1AndReturn(m);
        // call(a)
        m = begin(cw, "call", "(" + D_LV + ")" + D_LV);
        if (np == 0) {
            callBody(m, new int[0], slot(1));
        } else {
            callBody(m, new int[] {1}, none());
        }
        arg1AndReturn(m);
        // call(a, b)
        m = begin(cw, "call", "(" + D_LV + D_LV + ")" + D_LV);
        switch (np) {
            case 0:
                callBody(m, new int[0], packed(1, 2));
                break;
            case 1:
                callBody(m, new int[] {1}, slot(2));
                break;
            default:
                callBody(m, new int[] {1, 2}, none());
        }
        arg1AndReturn(m);
        // call(a, b, c)
        m = begin(cw, "call", "(" + D_LV + D_LV + D_LV + ")" + D_LV);
        switch (np) {
            case 0:
                callBody(m, new int[0], packed(1, 2, 3));
                break;
            case 1:
                callBody(m, new int[] {1}, packed(2, 3));
                break;
            case 2:
                callBody(m, new int[] {1, 2}, slot(3));
                break;
            default:
                callBody(m, new int[] {1, 2, 3}, none());
        }
        arg1AndReturn(m);
        // onInvoke(varargs): parameters from arg(1..np), the rest as varargs
        m = begin(cw, "onInvoke", "(" + D_VA + ")" + D_VA);
        m.visitVarInsn(ALOAD, 0);
        for (int j = 0; j < np; j++) {
            m.visitVarInsn(ALOAD, 1);
            push(m, j + 1);
            m.visitMethodInsn(INVOKEVIRTUAL, VA, "arg", "(I)" + D_LV, false);
        }
        if (p.is_vararg != 0) {
            m.visitVarInsn(ALOAD, 1);
            push(m, np + 1);
            m.visitMethodInsn(INVOKEVIRTUAL, VA, "subargs", "(I)" + D_VA, false);
        } else {
            m.visitFieldInsn(GETSTATIC, LV, "NONE", D_LV);
        }
        m.visitMethodInsn(INVOKESPECIAL, className, "body", bodyDescriptor(), false);
        m.visitInsn(ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
    }

    private static MethodVisitor begin(ClassWriter cw, String name, String desc) {
        MethodVisitor m = cw.visitMethod(ACC_PUBLIC | ACC_FINAL, name, desc, null, null);
        m.visitCode();
        return m;
    }

    private static void arg1AndReturn(MethodVisitor m) {
        m.visitMethodInsn(INVOKEVIRTUAL, VA, "arg1", "()" + D_LV, false);
        m.visitInsn(ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
    }

    // ---- the body --------------------------------------------------------------------------------

    private boolean live(int pc) {
        return !s.data[pc] && !s.dead[pc];
    }

    private void bodyMethod(ClassWriter cw) throws UnsupportedShape {
        int n = s.code.length;
        if (quiet != null) {
            s.regroup(quiet); // this writer's grouping (the typed entry's writer has its own)
        }
        mv = typed ? cw.visitMethod(ACC_PUBLIC | ACC_FINAL, TYPED_ENTRY, typedDescriptor(np), null, null)
                : cw.visitMethod(ACC_PRIVATE | ACC_FINAL, "body", bodyDescriptor(), null, null);
        mv.visitCode();
        start = labels(n);
        body = labels(n);
        end = labels(n);
        handler = labels(n);
        slow = labels(n);
        slowEnd = labels(n);
        // Positions and traceback lines depend on the line only: one handler per run of instructions on
        // the same line (fewer handlers, frames and table entries than one per instruction).
        // Only labels something refers to are visited: ASM starts a basic block at every label, and frame
        // computation costs blocks times locals.
        int[] run = lineRuns(n);
        this.run = run;
        needStart = new boolean[n];
        needEnd = new boolean[n];
        needBody = new boolean[n];
        for (int pc = 0; pc < n; pc++) {
            if (live(pc) && run[pc] == pc) {
                int last = pc;
                while (last + 1 < n && live(last + 1) && run[last + 1] == pc) {
                    last++;
                }
                mv.visitTryCatchBlock(start[pc], end[last], handler[pc], "java/lang/Throwable");
                needStart[pc] = true;
                needEnd[last] = true;
            }
            if (live(pc) && (s.leader[pc] || s.targeted[pc])) {
                needStart[pc] = true;
            }
            if (live(pc) && s.groupEnd[pc] > pc) {
                needBody[s.groupEnd[pc]] = true;
            }
        }
        for (int pc = 0; pc < n; pc++) {
            if (live(pc) && s.groupEnd[pc] > pc) {
                int e = s.groupEnd[pc];
                for (int j = pc; j <= e; ) {
                    int k = j;
                    while (k + 1 <= e && run[k + 1] == run[j]) {
                        k++;
                    }
                    mv.visitTryCatchBlock(slow[j], slowEnd[k], handler[run[j]], "java/lang/Throwable");
                    j = k + 1;
                }
            }
        }
        prologue();
        for (int pc = 0; pc < n; pc++) {
            if (!live(pc)) {
                continue;
            }
            if (needStart[pc]) {
                mv.visitLabel(start[pc]);
            }
            if (s.groupEnd[pc] >= 0) {
                chargeGroup(pc);
            }
            if (needBody[pc]) {
                mv.visitLabel(body[pc]);
            }
            if (bracketedInstruction(pc) && needEnd[pc]) {
                mv.visitLabel(end[pc]);
            }
        }
        // Falling off the end cannot happen (Luaj ends every function with RETURN); keep the verifier sure.
        mv.visitInsn(ACONST_NULL);
        mv.visitInsn(ATHROW);
        for (int pc = 0; pc < n; pc++) {
            if (live(pc) && s.groupEnd[pc] > pc) {
                slowCharges(pc);
            }
        }
        Label common = new Label();
        for (int pc = 0; pc < n; pc++) {
            if (live(pc) && run[pc] == pc) {
                mv.visitLabel(handler[pc]);
                push(mv, pc);
                mv.visitJumpInsn(GOTO, common);
            }
        }
        mv.visitLabel(common);
        mv.visitVarInsn(ISTORE, lPc);
        mv.visitVarInsn(ASTORE, lThrown);
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitVarInsn(ALOAD, lThrown);
        mv.visitFieldInsn(GETSTATIC, className, FIELD_PROTOTYPE, D_PROTO);
        mv.visitVarInsn(ILOAD, lPc);
        mv.visitMethodInsn(INVOKEVIRTUAL, METER, "compiledUnwind",
                "(Ljava/lang/Throwable;" + D_PROTO + "I)Ljava/lang/Throwable;", false);
        mv.visitVarInsn(ASTORE, lThrown);
        closeAll();
        mv.visitVarInsn(ALOAD, lThrown);
        mv.visitInsn(ATHROW);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /**
     * For each live instruction, the first instruction of its run: consecutive live instructions on one
     * line, a run ending after a return (whose epilogue lies outside every range).
     */
    private int[] lineRuns(int n) {
        int[] run = new int[n];
        boolean exact = org.scriptbox.engine.errors.ErrorSites.exact(p);
        for (int pc = 0; pc < n; pc++) {
            if (!live(pc)) {
                run[pc] = -1;
                continue;
            }
            // an instruction that can fail with a named error starts a run: its handler knows its exact pc
            boolean continues = pc > 0 && live(pc - 1) && run[pc - 1] >= 0
                    && !org.scriptbox.engine.errors.ErrorSites.ownsHandler(p, pc, exact)
                    && org.scriptbox.engine.vm.Meter.line(p, pc) == org.scriptbox.engine.vm.Meter.line(p, pc - 1)
                    && !endsOwnRange(s.code[pc - 1]);
            run[pc] = continues ? run[pc - 1] : pc;
        }
        return run;
    }

    private static boolean endsOwnRange(int i) {
        int op = Lua.GET_OPCODE(i);
        return op == Lua.OP_RETURN || op == Lua.OP_TAILCALL;
    }

    private static Label[] labels(int n) {
        Label[] l = new Label[n];
        for (int i = 0; i < n; i++) {
            l[i] = new Label();
        }
        return l;
    }

    private void prologue() throws UnsupportedShape {
        if (typed) {
            typedParameters();
        } else {
            mv.visitVarInsn(ALOAD, 1 + np);
            mv.visitVarInsn(ASTORE, lVarargs);
        }
        for (int r = np; r < nregs; r++) {
            if (!s.captured(r)) {
                mv.visitFieldInsn(GETSTATIC, LV, "NIL", D_LV);
                mv.visitVarInsn(ASTORE, 1 + r);
            }
        }
        if (s.anyCaptured) {
            push(mv, nregs);
            mv.visitTypeInsn(ANEWARRAY, LV);
            mv.visitVarInsn(ASTORE, lStack);
            for (int r = 0; r < nregs; r++) {
                if (s.captured(r)) {
                    mv.visitVarInsn(ALOAD, lStack);
                    push(mv, r);
                    if (r < np) {
                        mv.visitVarInsn(ALOAD, 1 + r);
                    } else {
                        mv.visitFieldInsn(GETSTATIC, LV, "NIL", D_LV);
                    }
                    mv.visitInsn(AASTORE);
                }
            }
            push(mv, nregs);
            mv.visitTypeInsn(ANEWARRAY, UV);
            mv.visitVarInsn(ASTORE, lOpen);
        }
        for (int r = typed ? np : 0; r < nregs; r++) {
            if (dslot[r] >= 0) {
                // never read before the register is UNBOXED; the verifier wants it assigned
                mv.visitInsn(DCONST_0);
                mv.visitVarInsn(DSTORE, dslot[r]);
            }
        }
        mv.visitFieldInsn(GETSTATIC, LV, "NONE", D_LV);
        mv.visitVarInsn(ASTORE, lV);
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, BASE, "meter", "L" + METER + ";");
        mv.visitVarInsn(ASTORE, lMeter);
        mv.visitFieldInsn(GETSTATIC, className, FIELD_CONSTANTS, "[" + D_LV);
        mv.visitVarInsn(ASTORE, lK);
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitMethodInsn(INVOKEVIRTUAL, METER, "enter", "()V", false);
        syncIn();
    }

    /**
     * The interpreter's charge of one instruction, {@code if (--ticks <= 0) meter.tick()}, on the body's ticks local
     * ({@link #lTicks}). Spelled out (17 bytes; the rare {@code tick} a call of {@code Ops.tick}) when
     * {@link #inlineCharges}, so that C2 never leaves it a call for want of inlining budget in a big body; else the
     * 9-byte call of {@code Ops.charge1}, which C2 inlines into a small body.
     */
    private void charge1() {
        if (!localTicks) {
            mv.visitVarInsn(ALOAD, lMeter);
            mv.visitMethodInsn(INVOKESTATIC, OPS, "charge1", "(L" + METER + ";)V", false);
            return;
        }
        if (!inlineCharges) {
            mv.visitVarInsn(ALOAD, lMeter);
            mv.visitVarInsn(ILOAD, lTicks);
            mv.visitMethodInsn(INVOKESTATIC, OPS, "charge1", "(L" + METER + ";I)I", false);
            mv.visitVarInsn(ISTORE, lTicks);
            return;
        }
        Label fine = new Label();
        mv.visitIincInsn(lTicks, -1);
        mv.visitVarInsn(ILOAD, lTicks);
        mv.visitJumpInsn(IFGT, fine);
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitVarInsn(ILOAD, lTicks);
        mv.visitMethodInsn(INVOKESTATIC, OPS, "tick", "(L" + METER + ";I)I", false);
        mv.visitVarInsn(ISTORE, lTicks);
        mv.visitLabel(fine);
    }

    /** Fast path: the whole group fits in the remaining ticks (no check falls inside it): {@code Ops.fits} on the local. */
    private void chargeGroup(int pc) {
        if (s.groupSize(pc) == 1) {
            // one instruction: the interpreter's own charge, no branch (and no frame) in the generated code
            charge1();
            return;
        }
        int n = s.groupSize(pc);
        if (!localTicks) {
            mv.visitVarInsn(ALOAD, lMeter);
            push(mv, n);
            mv.visitMethodInsn(INVOKESTATIC, OPS, "fits", "(L" + METER + ";I)Z", false);
            mv.visitJumpInsn(IFEQ, slow[pc]);
            return;
        }
        mv.visitVarInsn(ILOAD, lTicks);
        push(mv, n);
        mv.visitJumpInsn(IF_ICMPLE, slow[pc]); // ticks - n > 0, else one by one
        mv.visitIincInsn(lTicks, -n);
    }

    /**
     * Writes the ticks local to {@code meter.ticks}: before code that may read or change the budget (a call, a
     * metamethod, a library or VM helper that charges, a check that may throw, a return). JVM stack unchanged.
     * Between two such points the count lives in the local only; {@link FunctionShape#needsSync} says which
     * instructions are bracketed as a whole, the others bracket their rarely taken generic paths themselves.
     */
    private void syncOut() {
        if (!localTicks) {
            return;
        }
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitVarInsn(ILOAD, lTicks);
        mv.visitFieldInsn(PUTFIELD, METER, "ticks", "I");
    }

    /** Reads {@code meter.ticks} back into the ticks local after such code returned normally. JVM stack unchanged. */
    private void syncIn() {
        if (!localTicks) {
            return;
        }
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitFieldInsn(GETFIELD, METER, "ticks", "I");
        mv.visitVarInsn(ISTORE, lTicks);
    }

    /** Slow path: charge one instruction at a time, as the interpreter does, running the quiet ones between. */
    private void slowCharges(int head) throws UnsupportedShape {
        int last = s.groupEnd[head];
        for (int j = head; j <= last; j++) {
            if (j == head || run[j] != run[j - 1]) {
                mv.visitLabel(slow[j]);
            }
            charge1();
            if (j < last) {
                instruction(j); // quiet: straight-line, no labels of its own
            }
            if (j == last || run[j] != run[j + 1]) {
                mv.visitLabel(slowEnd[j]);
            }
        }
        mv.visitJumpInsn(GOTO, body[last]);
    }

    // ---- registers -------------------------------------------------------------------------------

    private void reg(int r) throws UnsupportedShape {
        check(r);
        if (s.captured(r)) {
            mv.visitVarInsn(ALOAD, lStack);
            push(mv, r);
            mv.visitInsn(AALOAD);
        } else {
            mv.visitVarInsn(ALOAD, 1 + r);
            if (dslot[r] >= 0 && numbers.mayBeUnboxed(at, r)) {
                // an unboxed number is boxed (once) where it is used as a value
                Label boxed = new Label();
                mv.visitInsn(DUP);
                unboxedMarker();
                mv.visitJumpInsn(IF_ACMPNE, boxed);
                mv.visitInsn(POP);
                mv.visitVarInsn(DLOAD, dslot[r]);
                mv.visitMethodInsn(INVOKESTATIC, OPS, "box", "(D)" + D_LV, false);
                mv.visitInsn(DUP);
                mv.visitVarInsn(ASTORE, 1 + r);
                mv.visitLabel(boxed);
            }
        }
    }

    private void unboxedMarker() {
        mv.visitFieldInsn(GETSTATIC, OPS, "UNBOXED", D_LV);
    }

    /**
     * Pushes RK({@code x}) as a value for a path that is rarely taken (the generic case of arithmetic, a comparison,
     * a for loop, a missed field cache): an unboxed number is boxed by {@code Ops.value} and not stored back. It
     * is {@link #rk}'s value in 7 bytes instead of 18 and no branch: the JIT counts every byte of a method
     * against its inlining budget (8,000 bytes with what it inlined), cold bytes included.
     */
    private void valueCold(int x) throws UnsupportedShape {
        if (numberInDouble(x)) {
            mv.visitVarInsn(ALOAD, 1 + x);
            mv.visitVarInsn(DLOAD, dslot[x]);
            mv.visitMethodInsn(INVOKESTATIC, OPS, "value", "(" + D_LV + "D)" + D_LV, false);
        } else {
            rk(x);
        }
    }

    /**
     * {@code Ops.arith}/{@code Ops.compare} for the instruction being emitted (its opcode), with RK(b) and RK(c) as
     * they are (a register and its double, 0.0 beside any other) and the ticks local written out by the helper; the
     * ticks read back after it.
     */
    private void genericCall(String helper, String desc, int b, int c) throws UnsupportedShape {
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitVarInsn(ILOAD, lTicks);
        push(mv, Lua.GET_OPCODE(s.code[at]));
        operandCold(b);
        operandCold(c);
        mv.visitMethodInsn(INVOKESTATIC, OPS, helper, desc, false);
        syncIn();
    }

    /** RK({@code x}) and a double for {@code Ops.value}: the register's own double where it may hold one unboxed. */
    private void operandCold(int x) throws UnsupportedShape {
        if (numberInDouble(x)) {
            mv.visitVarInsn(ALOAD, 1 + x);
            mv.visitVarInsn(DLOAD, dslot[x]);
        } else {
            rk(x);
            mv.visitInsn(DCONST_0);
        }
    }

    /**
     * Pushes the number in RK({@code x}) as a double, or jumps to {@code notNumber} (JVM stack unchanged)
     * when it holds no number. False when RK(x) is a constant that is not a number (nothing emitted).
     */
    private boolean number(int x, Label notNumber) throws UnsupportedShape {
        if (x > 0xff) {
            int index = x & 0xff;
            if (index >= p.k.length) {
                throw new UnsupportedShape("constant " + index + " missing");
            }
            if (!(p.k[index] instanceof org.luaj.vm2.LuaNumber)) {
                return false;
            }
            mv.visitLdcInsn(p.k[index].todouble());
            return true;
        }
        check(x);
        if (numbers.inDouble(at, x)) {
            mv.visitVarInsn(DLOAD, dslot[x]);
            return true;
        }
        Label got = new Label();
        if (!s.captured(x)) {
            // a JVM local: read twice, no temporary (3 bytes less per operand)
            if (dslot[x] >= 0 && numbers.mayBeUnboxed(at, x)) {
                Label boxed = new Label();
                mv.visitVarInsn(ALOAD, 1 + x);
                unboxedMarker();
                mv.visitJumpInsn(IF_ACMPNE, boxed);
                mv.visitVarInsn(DLOAD, dslot[x]);
                mv.visitJumpInsn(GOTO, got);
                mv.visitLabel(boxed);
            }
            mv.visitVarInsn(ALOAD, 1 + x);
            mv.visitTypeInsn(INSTANCEOF, "org/luaj/vm2/LuaNumber");
            mv.visitJumpInsn(IFEQ, notNumber);
            mv.visitVarInsn(ALOAD, 1 + x);
            invokeLV("todouble", "()D");
            mv.visitLabel(got);
            return true;
        }
        reg(x);
        mv.visitInsn(DUP);
        mv.visitVarInsn(ASTORE, lT1);
        mv.visitTypeInsn(INSTANCEOF, "org/luaj/vm2/LuaNumber");
        mv.visitJumpInsn(IFEQ, notNumber);
        mv.visitVarInsn(ALOAD, lT1);
        invokeLV("todouble", "()D");
        mv.visitLabel(got);
        return true;
    }

    /** Stores the double (either zero, {@link NumericRegisters}) on top of the JVM stack as the number in register {@code r}. */
    private void setNumber(int r) throws UnsupportedShape {
        check(r);
        if (dslot[r] >= 0) {
            mv.visitVarInsn(DSTORE, dslot[r]);
            unboxedMarker();
            mv.visitVarInsn(ASTORE, 1 + r);
        } else {
            mv.visitMethodInsn(INVOKESTATIC, OPS, "box", "(D)" + D_LV, false);
            setReg(r);
        }
    }

    /**
     * Makes a -0 on top of the JVM stack +0 (adding 0.0). A register's double may be either zero where the interpreter
     * holds the integer 0 ({@link NumericRegisters}: "either zero"), so only a use that tells the two apart needs it:
     * the base of {@code ^} and the argument of a library call.
     */
    private void normalise() {
        mv.visitInsn(DCONST_0);
        mv.visitInsn(DADD);
    }

    /** Stores the value on top of the JVM stack in register {@code r}. */
    private void setReg(int r) throws UnsupportedShape {
        check(r);
        if (s.captured(r)) {
            mv.visitVarInsn(ALOAD, lStack);
            mv.visitInsn(SWAP);
            push(mv, r);
            mv.visitInsn(SWAP);
            mv.visitInsn(AASTORE);
        } else {
            mv.visitVarInsn(ASTORE, 1 + r);
        }
    }

    private void check(int r) throws UnsupportedShape {
        if (r < 0 || r >= nregs) {
            throw new UnsupportedShape("register " + r + " outside the frame of " + nregs);
        }
    }

    private void rk(int x) throws UnsupportedShape {
        if (x > 0xff) {
            constant(x & 0xff);
        } else {
            reg(x);
        }
    }

    private void constant(int index) throws UnsupportedShape {
        if (index >= p.k.length) {
            throw new UnsupportedShape("constant " + index + " missing");
        }
        mv.visitVarInsn(ALOAD, lK);
        push(mv, index);
        mv.visitInsn(AALOAD);
    }

    private void upvalue(int index) throws UnsupportedShape {
        if (index >= p.upvalues.length) {
            throw new UnsupportedShape("upvalue " + index + " missing");
        }
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, BASE, "upValues", "[L" + UV + ";");
        push(mv, index);
        mv.visitInsn(AALOAD);
    }

    /** A new LuaValue[] of registers {@code from} .. {@code from + count - 1}. */
    private void registerArray(int from, int count) throws UnsupportedShape {
        push(mv, count);
        mv.visitTypeInsn(ANEWARRAY, LV);
        for (int j = 0; j < count; j++) {
            mv.visitInsn(DUP);
            push(mv, j);
            reg(from + j);
            mv.visitInsn(AASTORE);
        }
    }

    /** Arguments from register {@code from}: {@code b - 1} of them, or (b = 0) up to the open results. */
    private void argsFrom(int pc, int from, int b) throws UnsupportedShape {
        if (b > 0) {
            registerArray(from, b - 1);
            mv.visitMethodInsn(INVOKESTATIC, OPS, "args", "([" + D_LV + ")" + D_VA, false);
        } else {
            int openAt = Lua.GETARG_A(s.code[pc - 1]);
            if (openAt < from) {
                throw new UnsupportedShape("open results below the arguments");
            }
            registerArray(from, openAt - from);
            mv.visitVarInsn(ALOAD, lV);
            mv.visitMethodInsn(INVOKESTATIC, OPS, "args", "([" + D_LV + D_VA + ")" + D_VA, false);
        }
    }

    private void jump(int opcode, int target) throws UnsupportedShape {
        if (target < 0 || target >= s.code.length || !live(target)) {
            throw new UnsupportedShape("jump to " + target);
        }
        mv.visitJumpInsn(opcode, start[target]);
    }

    private void closeAll() {
        if (s.anyCaptured) {
            mv.visitVarInsn(ALOAD, lOpen);
            mv.visitInsn(ICONST_0);
            mv.visitMethodInsn(INVOKESTATIC, OPS, "close", "([L" + UV + ";I)V", false);
        }
    }

    /** Returns the Varargs on top of the stack: the interpreter's finally (upvalues closed, depth left). */
    private void returnTop(int pc) {
        mv.visitVarInsn(ASTORE, lT1);
        mv.visitLabel(end[pc]);
        closeAll();
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitMethodInsn(INVOKEVIRTUAL, METER, "exit", "()V", false);
        mv.visitVarInsn(ALOAD, lT1);
        mv.visitInsn(ARETURN);
    }

    /** A key register whose number is in its double local here: indexed without boxing it ({@code t[i]} in a loop). */
    private boolean unboxedKey(int x) {
        return x <= 0xff && x < nregs && !s.captured(x) && dslot[x] >= 0 && numbers.inDouble(at, x);
    }

    /** Pushes the {@code vm.FieldSite} of the instruction at {@code pc}, whose key is the constant RK({@code x}). */
    private void site(int pc, int x) {
        sites.put(pc, x & 0xff);
        mv.visitFieldInsn(GETSTATIC, className, FIELD_SITE + pc, D_SITE);
    }

    /** A constant string key (the one kind a field cache is for). */
    private boolean stringConstant(int x) {
        return x > 0xff && (x & 0xff) < p.k.length && p.k[x & 0xff] instanceof LuaString;
    }

    /** {@code [table] -> [table[RK(c)]]}: through the instruction's field cache for a constant string key. */
    private void get(int pc, int c) throws UnsupportedShape {
        if (unboxedKey(c)) {
            mv.visitVarInsn(DLOAD, dslot[c]);
            syncOut(); // a table read may charge (long chains), run __index, fail
            mv.visitMethodInsn(INVOKESTATIC, OPS, "getIndex", "(" + D_LV + "D)" + D_LV, false);
            syncIn();
            return;
        }
        if (stringConstant(c)) {
            site(pc, c);
            syncOut();
            mv.visitMethodInsn(INVOKESTATIC, TABLE, "getField", "(" + D_LV + D_SITE + ")" + D_LV, false);
            syncIn();
        } else {
            rk(c);
            syncOut();
            invokeLV("get", BINARY);
            syncIn();
        }
    }

    /**
     * {@code [table] -> []}: {@code R(a) = table[RK(c)]}. A constant string key read into a register that holds
     * numbers unboxed first asks the field cache for the number itself ({@code EngineTable.getFieldNum}: no box, no
     * type check on use; it does nothing when it has no number), then, if that gave none, takes {@link #get}'s path.
     */
    private void getInto(int pc, int a, int c) throws UnsupportedShape {
        if (!(stringConstant(c) && a < nregs && dslot[a] >= 0)) {
            get(pc, c);
            setReg(a);
            return;
        }
        Label generic = new Label();
        Label done = new Label();
        mv.visitInsn(DUP);
        mv.visitVarInsn(ASTORE, lT2);
        site(pc, c);
        mv.visitMethodInsn(INVOKESTATIC, TABLE, "getFieldNum", "(" + D_LV + D_SITE + ")D", false);
        // any NaN getFieldNum answers (its NO_NUMBER or a NaN the entry holds) is a miss: the generic path boxes it
        mv.visitInsn(DUP2);
        mv.visitInsn(DUP2);
        mv.visitInsn(DCMPL);
        mv.visitJumpInsn(IFNE, generic);
        setNumber(a);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(generic);
        mv.visitInsn(POP2);
        mv.visitVarInsn(ALOAD, lT2);
        get(pc, c);
        setReg(a);
        mv.visitLabel(done);
    }

    /** A register whose value is (or may be) a number held in its double local. */
    private boolean numberInDouble(int x) {
        return x <= 0xff && x < nregs && !s.captured(x) && dslot[x] >= 0 && numbers.mayBeUnboxed(at, x);
    }

    /** {@code [table] -> []}: {@code table[RK(b)] = RK(c)}, through the field cache for a constant string key. */
    private void set(int pc, int b, int c) throws UnsupportedShape {
        if (stringConstant(b) && numberInDouble(c)) {
            // a number held unboxed: kept unboxed in the entry on a cache hit (EngineTable.setFieldNum, no box)
            Label generic = new Label();
            Label done = new Label();
            mv.visitVarInsn(ASTORE, lT2);
            if (!numbers.inDouble(at, c)) {
                mv.visitVarInsn(ALOAD, 1 + c);
                unboxedMarker();
                mv.visitJumpInsn(IF_ACMPNE, generic);
            }
            mv.visitVarInsn(ALOAD, lT2);
            mv.visitVarInsn(DLOAD, dslot[c]);
            site(pc, b);
            mv.visitMethodInsn(INVOKESTATIC, TABLE, "setFieldNum", "(" + D_LV + "D" + D_SITE + ")Z", false);
            mv.visitJumpInsn(IFNE, done);
            mv.visitLabel(generic);
            mv.visitVarInsn(ALOAD, lT2);
            setGeneric(pc, b, c);
            mv.visitLabel(done);
            return;
        }
        setGeneric(pc, b, c);
    }

    private void setGeneric(int pc, int b, int c) throws UnsupportedShape {
        if (unboxedKey(b)) {
            mv.visitVarInsn(DLOAD, dslot[b]);
            valueCold(c);
            syncOut(); // a table write may charge, run __newindex, meet the size limit, fail
            mv.visitMethodInsn(INVOKESTATIC, OPS, "setIndex", "(" + D_LV + "D" + D_LV + ")V", false);
            syncIn();
            return;
        }
        if (stringConstant(b)) {
            valueCold(c); // reached when setFieldNum could not keep the number unboxed: one use, no store back
            site(pc, b);
            syncOut();
            mv.visitMethodInsn(INVOKESTATIC, TABLE, "setField", "(" + D_LV + D_LV + D_SITE + ")V", false);
            syncIn();
        } else {
            rk(b);
            valueCold(c);
            syncOut();
            invokeLV("set", "(" + D_LV + D_LV + ")V");
            syncIn();
        }
    }

    private void invokeLV(String name, String desc) {
        mv.visitMethodInsn(INVOKEVIRTUAL, LV, name, desc, false);
    }

    private static final String BINARY = "(L" + LV + ";)L" + LV + ";";

    /**
     * {@link #instruction}, with the ticks local written out before it and read back after it when the instruction
     * as a whole may read or change the budget ({@link FunctionShape#needsSync}); false as {@link #instruction}.
     */
    private boolean bracketedInstruction(int pc) throws UnsupportedShape {
        boolean whole = FunctionShape.needsSync(s.code[pc]);
        if (whole) {
            syncOut();
        }
        boolean goesOn = instruction(pc);
        if (whole && goesOn) {
            syncIn();
        }
        return goesOn;
    }

    /**
     * Emits instruction {@code pc}; false when it has ended its exception range itself (returns).
     */
    private boolean instruction(int pc) throws UnsupportedShape {
        at = pc;
        int i = s.code[pc];
        int a = Lua.GETARG_A(i);
        int b = Lua.GETARG_B(i);
        int c = Lua.GETARG_C(i);
        switch (Lua.GET_OPCODE(i)) {
            case Lua.OP_MOVE:
                if (!s.captured(a) && !s.captured(b) && dslot[a] >= 0 && dslot[b] >= 0) {
                    check(a);
                    check(b);
                    mv.visitVarInsn(ALOAD, 1 + b);
                    mv.visitVarInsn(ASTORE, 1 + a);
                    mv.visitVarInsn(DLOAD, dslot[b]);
                    mv.visitVarInsn(DSTORE, dslot[a]);
                    return true;
                }
                reg(b);
                setReg(a);
                return true;
            case Lua.OP_LOADK:
                constant(Lua.GETARG_Bx(i));
                setReg(a);
                if (dslot[a] >= 0 && p.k[Lua.GETARG_Bx(i)] instanceof org.luaj.vm2.LuaNumber) {
                    mv.visitLdcInsn(p.k[Lua.GETARG_Bx(i)].todouble()); // its double beside (NumericRegisters)
                    mv.visitVarInsn(DSTORE, dslot[a]);
                }
                return true;
            case Lua.OP_LOADBOOL:
                mv.visitFieldInsn(GETSTATIC, LV, b != 0 ? "TRUE" : "FALSE", "Lorg/luaj/vm2/LuaBoolean;");
                setReg(a);
                if (c != 0) {
                    jump(GOTO, pc + 2);
                }
                return true;
            case Lua.OP_LOADNIL:
                for (int r = a; r <= a + b; r++) {
                    mv.visitFieldInsn(GETSTATIC, LV, "NIL", D_LV);
                    setReg(r);
                }
                return true;
            case Lua.OP_GETUPVAL:
                upvalue(b);
                mv.visitMethodInsn(INVOKEVIRTUAL, UV, "getValue", "()" + D_LV, false);
                setReg(a);
                return true;
            case Lua.OP_GETTABUP:
                upvalue(b);
                mv.visitMethodInsn(INVOKEVIRTUAL, UV, "getValue", "()" + D_LV, false);
                getInto(pc, a, c);
                return true;
            case Lua.OP_GETTABLE:
                reg(b);
                getInto(pc, a, c);
                return true;
            case Lua.OP_SETTABUP:
                upvalue(a);
                mv.visitMethodInsn(INVOKEVIRTUAL, UV, "getValue", "()" + D_LV, false);
                set(pc, b, c);
                return true;
            case Lua.OP_SETUPVAL:
                upvalue(b);
                reg(a);
                mv.visitMethodInsn(INVOKEVIRTUAL, UV, "setValue", "(" + D_LV + ")V", false);
                return true;
            case Lua.OP_SETTABLE:
                reg(a);
                set(pc, b, c);
                return true;
            case Lua.OP_NEWTABLE:
                mv.visitTypeInsn(NEW, "org/scriptbox/engine/vm/EngineTable");
                mv.visitInsn(DUP);
                push(mv, b);
                push(mv, c);
                mv.visitMethodInsn(INVOKESPECIAL, "org/scriptbox/engine/vm/EngineTable", "<init>", "(II)V", false);
                setReg(a);
                return true;
            case Lua.OP_SELF:
                reg(b);
                mv.visitInsn(DUP);
                setReg(a + 1);
                get(pc, c);
                setReg(a);
                return true;
            case Lua.OP_ADD:
                return arith(a, b, c, "add");
            case Lua.OP_SUB:
                return arith(a, b, c, "sub");
            case Lua.OP_MUL:
                return arith(a, b, c, "mul");
            case Lua.OP_DIV:
                return arith(a, b, c, "div");
            case Lua.OP_MOD:
                return arith(a, b, c, "mod");
            case Lua.OP_POW:
                return arith(a, b, c, "pow");
            case Lua.OP_UNM:
                return unary(a, b, "neg");
            case Lua.OP_NOT:
                return unary(a, b, "not");
            case Lua.OP_LEN:
                return unary(a, b, "len");
            case Lua.OP_CONCAT:
                if (c <= b) {
                    throw new UnsupportedShape("CONCAT of fewer than two operands");
                }
                mv.visitVarInsn(ALOAD, lMeter);
                registerArray(b, c - b + 1);
                mv.visitMethodInsn(INVOKESTATIC, OPS, "concat", "(L" + METER + ";[" + D_LV + ")" + D_LV, false);
                setReg(a);
                return true;
            case Lua.OP_JMP:
                if (a > 0 && s.anyCaptured) {
                    mv.visitVarInsn(ALOAD, lOpen);
                    push(mv, a - 1);
                    mv.visitMethodInsn(INVOKESTATIC, OPS, "close", "([L" + UV + ";I)V", false);
                }
                jump(GOTO, pc + 1 + Lua.GETARG_sBx(i));
                return true;
            case Lua.OP_EQ:
                return compare(pc, a, b, c, "eq");
            case Lua.OP_LT:
                return compare(pc, a, b, c, "lt");
            case Lua.OP_LE:
                return compare(pc, a, b, c, "le");
            case Lua.OP_TEST:
                reg(a);
                invokeLV("toboolean", "()Z");
                jump(c != 0 ? IFEQ : IFNE, pc + 2);
                return true;
            case Lua.OP_TESTSET:
                reg(b);
                mv.visitInsn(DUP);
                mv.visitVarInsn(ASTORE, lT1);
                invokeLV("toboolean", "()Z");
                jump(c != 0 ? IFEQ : IFNE, pc + 2);
                mv.visitVarInsn(ALOAD, lT1);
                setReg(a);
                return true;
            case Lua.OP_CALL:
                call(pc, a, b, c);
                return true;
            case Lua.OP_TAILCALL:
                mv.visitVarInsn(ALOAD, lMeter);
                mv.visitFieldInsn(GETSTATIC, className, FIELD_PROTOTYPE, D_PROTO);
                push(mv, pc);
                mv.visitMethodInsn(INVOKEVIRTUAL, METER, "tailCall", "(" + D_PROTO + "I)V", false);
                mv.visitTypeInsn(NEW, "org/luaj/vm2/TailcallVarargs");
                mv.visitInsn(DUP);
                reg(a);
                switch (b) {
                    case 1:
                        mv.visitFieldInsn(GETSTATIC, LV, "NONE", D_LV);
                        break;
                    case 2:
                        reg(a + 1);
                        break;
                    case 3:
                        reg(a + 1);
                        reg(a + 2);
                        mv.visitMethodInsn(INVOKESTATIC, OPS, "args", "(" + D_LV + D_LV + ")" + D_VA, false);
                        break;
                    case 4:
                        reg(a + 1);
                        reg(a + 2);
                        reg(a + 3);
                        mv.visitMethodInsn(INVOKESTATIC, OPS, "args", "(" + D_LV + D_LV + D_LV + ")" + D_VA, false);
                        break;
                    default:
                        argsFrom(pc, a + 1, b);
                }
                mv.visitMethodInsn(INVOKESPECIAL, "org/luaj/vm2/TailcallVarargs", "<init>", "(" + D_LV + D_VA + ")V", false);
                if (typed) {
                    typedReturnTail(pc);
                } else {
                    returnTop(pc);
                }
                return false;
            case Lua.OP_RETURN:
                if (typed) {
                    typedReturn(pc, a, b);
                    return false;
                }
                switch (b) {
                    case 0: {
                        int openAt = Lua.GETARG_A(s.code[pc - 1]);
                        if (openAt < a) {
                            throw new UnsupportedShape("open results below the returned registers");
                        }
                        registerArray(a, openAt - a);
                        mv.visitVarInsn(ALOAD, lV);
                        mv.visitMethodInsn(INVOKESTATIC, OPS, "args", "([" + D_LV + D_VA + ")" + D_VA, false);
                        break;
                    }
                    case 1:
                        mv.visitFieldInsn(GETSTATIC, LV, "NONE", D_LV);
                        break;
                    case 2:
                        reg(a);
                        break;
                    default:
                        registerArray(a, b - 1);
                        mv.visitMethodInsn(INVOKESTATIC, OPS, "args", "([" + D_LV + ")" + D_VA, false);
                }
                returnTop(pc);
                return false;
            case Lua.OP_FORLOOP: {
                Label done = new Label();
                Label generic = new Label();
                boolean certain = numbers.forLoopFast(pc, a);
                if (dslot[a] >= 0) {
                    // numbers (always, after FORPREP's checks): Ops.forNext in doubles, index kept unboxed
                    number(a, generic);
                    mv.visitVarInsn(DSTORE, lD1);
                    number(a + 2, generic);
                    mv.visitVarInsn(DSTORE, lD2);
                    number(a + 1, generic);
                    mv.visitVarInsn(DSTORE, lD3);
                    mv.visitVarInsn(DLOAD, lD1);
                    mv.visitVarInsn(DLOAD, lD2);
                    mv.visitInsn(DADD); // either zero: no normalising (NumericRegisters)
                    mv.visitVarInsn(DSTORE, lD1);
                    Label down = new Label();
                    Label loop = new Label();
                    mv.visitVarInsn(DLOAD, lD3);
                    mv.visitVarInsn(DLOAD, lD1);
                    mv.visitVarInsn(DLOAD, lD2);
                    mv.visitInsn(DCONST_0);
                    mv.visitInsn(DCMPL);
                    mv.visitJumpInsn(IFLE, down); // step > 0 (NaN: not)
                    mv.visitInsn(DCMPL);
                    mv.visitJumpInsn(IFLT, done); // index <= limit, else out (NaN: out)
                    mv.visitJumpInsn(GOTO, loop);
                    mv.visitLabel(down);
                    mv.visitInsn(DCMPG);
                    mv.visitJumpInsn(IFGT, done); // index >= limit, else out (NaN: out)
                    mv.visitLabel(loop);
                    mv.visitVarInsn(DLOAD, lD1);
                    setNumber(a);
                    mv.visitVarInsn(DLOAD, lD1);
                    setNumber(a + 3);
                    jump(GOTO, pc + 1 + Lua.GETARG_sBx(i));
                    if (certain) {
                        mv.visitLabel(done);
                        return true;
                    }
                }
                mv.visitLabel(generic);
                valueCold(a);
                valueCold(a + 1);
                valueCold(a + 2);
                mv.visitMethodInsn(INVOKESTATIC, OPS, "forNext", "(" + D_LV + D_LV + D_LV + ")" + D_LV, false);
                mv.visitInsn(DUP);
                mv.visitVarInsn(ASTORE, lT1);
                mv.visitJumpInsn(IFNULL, done);
                mv.visitVarInsn(ALOAD, lT1);
                setReg(a);
                mv.visitVarInsn(ALOAD, lT1);
                setReg(a + 3);
                jump(GOTO, pc + 1 + Lua.GETARG_sBx(i));
                mv.visitLabel(done);
                return true;
            }
            case Lua.OP_FORPREP:
                syncOut(); // the checks may coerce (charged) and fail; read back before the jump
                checkNumber(a + 1, "limit", lT2); // Lua 5.4's order of the checks
                checkNumber(a + 2, "step", lT3);
                checkNumber(a, "initial value", lT1);
                if (dslot[a] >= 0) {
                    // init.sub(step) of two numbers, unboxed
                    mv.visitVarInsn(ALOAD, lT1);
                    invokeLV("todouble", "()D");
                    mv.visitVarInsn(ALOAD, lT3);
                    invokeLV("todouble", "()D");
                    mv.visitInsn(DSUB); // either zero: no normalising (NumericRegisters)
                    setNumber(a);
                } else {
                    mv.visitVarInsn(ALOAD, lT1);
                    mv.visitVarInsn(ALOAD, lT3);
                    invokeLV("sub", BINARY);
                    setReg(a);
                }
                mv.visitVarInsn(ALOAD, lT2);
                setReg(a + 1);
                mv.visitVarInsn(ALOAD, lT3);
                setReg(a + 2);
                // the limit and the step stay boxed (as the interpreter has them), their doubles beside
                if (dslot[a + 1] >= 0) {
                    mv.visitVarInsn(ALOAD, lT2);
                    invokeLV("todouble", "()D");
                    mv.visitVarInsn(DSTORE, dslot[a + 1]);
                }
                if (dslot[a + 2] >= 0) {
                    mv.visitVarInsn(ALOAD, lT3);
                    invokeLV("todouble", "()D");
                    mv.visitVarInsn(DSTORE, dslot[a + 2]);
                }
                syncIn();
                jump(GOTO, pc + 1 + Lua.GETARG_sBx(i));
                return true;
            case Lua.OP_TFORCALL:
                reg(a);
                reg(a + 1);
                reg(a + 2);
                mv.visitMethodInsn(INVOKESTATIC, OPS, "args", "(" + D_LV + D_LV + ")" + D_VA, false);
                invokeLV("invoke", "(" + D_VA + ")" + D_VA);
                mv.visitVarInsn(ASTORE, lV);
                for (int k = c - 1; k >= 0; k--) {
                    mv.visitVarInsn(ALOAD, lV);
                    push(mv, k + 1);
                    mv.visitMethodInsn(INVOKEVIRTUAL, VA, "arg", "(I)" + D_LV, false);
                    setReg(a + 3 + k);
                }
                mv.visitFieldInsn(GETSTATIC, LV, "NONE", D_LV);
                mv.visitVarInsn(ASTORE, lV);
                return true;
            case Lua.OP_TFORLOOP: {
                Label done = new Label();
                reg(a + 1);
                invokeLV("isnil", "()Z");
                mv.visitJumpInsn(IFNE, done);
                reg(a + 1);
                setReg(a);
                jump(GOTO, pc + 1 + Lua.GETARG_sBx(i));
                mv.visitLabel(done);
                return true;
            }
            case Lua.OP_SETLIST:
                setlist(pc, a, b, c);
                return true;
            case Lua.OP_CLOSURE:
                closure(a, Lua.GETARG_Bx(i));
                return true;
            case Lua.OP_VARARG:
                if (b == 0) {
                    // the interpreter's charge by their number, and the same flat list (Meter.passed)
                    mv.visitVarInsn(ALOAD, lMeter);
                    mv.visitVarInsn(ALOAD, lVarargs);
                    mv.visitMethodInsn(INVOKEVIRTUAL, METER, "passed", "(" + D_VA + ")" + D_VA, false);
                    mv.visitVarInsn(ASTORE, lV);
                } else {
                    for (int j = 1; j < b; j++) {
                        mv.visitVarInsn(ALOAD, lVarargs);
                        push(mv, j);
                        mv.visitMethodInsn(INVOKEVIRTUAL, VA, "arg", "(I)" + D_LV, false);
                        setReg(a + j - 1);
                    }
                }
                return true;
            default:
                throw new UnsupportedShape("opcode " + Lua.GET_OPCODE(i));
        }
    }

    /**
     * Arithmetic: when both operands hold numbers, computed in doubles as Luaj computes it (its result is
     * {@code valueOf} of the same double operation) and kept unboxed; otherwise Luaj's own call (string
     * coercion, metamethods, errors).
     */
    private boolean arith(int a, int b, int c, String op) throws UnsupportedShape {
        Label generic = new Label();
        Label done = new Label();
        boolean fast = numeric && number(b, generic);
        if (fast) {
            if (op.equals("pow") && b <= 0xff) {
                normalise(); // (-0) ^ -1 is -inf, 0 ^ -1 inf: the base as the interpreter has it
            }
            // a second operand that cannot jump to the generic path leaves the first on the JVM stack
            boolean spill = !numbers.knownNumber(at, c);
            if (spill) {
                mv.visitVarInsn(DSTORE, lD1);
            }
            fast = number(c, generic);
            if (fast) {
                if (spill) {
                    mv.visitVarInsn(DSTORE, lD2);
                    mv.visitVarInsn(DLOAD, lD1);
                    mv.visitVarInsn(DLOAD, lD2);
                }
                switch (op) {
                    case "add":
                        mv.visitInsn(DADD);
                        break;
                    case "sub":
                        mv.visitInsn(DSUB);
                        break;
                    case "mul":
                        mv.visitInsn(DMUL);
                        break;
                    default: // div, mod, pow: Luaj's rules for zero divisors and powers
                        mv.visitMethodInsn(INVOKESTATIC, OPS, op, "(DD)D", false);
                }
                // no normalising: a -0 result stands for the interpreter's integer 0 ("either zero", NumericRegisters)
                setNumber(a);
                if (numbers.arithFast(at)) {
                    return true; // both operands are numbers: there is no other case
                }
                mv.visitJumpInsn(GOTO, done);
            }
        }
        mv.visitLabel(generic);
        // the interpreter's own helper: string coercion as Lua reads numbers (charged), metamethods, errors
        if (localTicks) {
            genericCall("arith", "(" + D_METER + "II" + D_LV + "D" + D_LV + "D)" + D_LV, b, c);
            setReg(a);
            mv.visitLabel(done);
            return true;
        }
        mv.visitVarInsn(ALOAD, lMeter);
        valueCold(b);
        valueCold(c);
        mv.visitMethodInsn(INVOKESTATIC, ARITHMETIC, op, "(" + D_METER + D_LV + D_LV + ")" + D_LV, false);
        setReg(a);
        mv.visitLabel(done);
        return true;
    }

    private boolean unary(int a, int b, String op) throws UnsupportedShape {
        if (numeric && op.equals("neg")) {
            Label generic = new Label();
            Label done = new Label();
            number(b, generic);
            mv.visitInsn(DNEG); // -0 for 0: either zero (NumericRegisters)
            setNumber(a);
            if (numbers.arithFast(at)) {
                return true;
            }
            mv.visitJumpInsn(GOTO, done);
            mv.visitLabel(generic);
            mv.visitVarInsn(ALOAD, lMeter);
            valueCold(b);
            syncOut();
            mv.visitMethodInsn(INVOKESTATIC, ARITHMETIC, op, "(" + D_METER + D_LV + ")" + D_LV, false);
            syncIn();
            setReg(a);
            mv.visitLabel(done);
            return true;
        }
        if (op.equals("neg")) {
            mv.visitVarInsn(ALOAD, lMeter);
            reg(b);
            syncOut();
            mv.visitMethodInsn(INVOKESTATIC, ARITHMETIC, op, "(" + D_METER + D_LV + ")" + D_LV, false);
            syncIn();
        } else { // not: no metamethod; len: bracketed as a whole (FunctionShape.needsSync)
            reg(b);
            invokeLV(op, "()" + D_LV);
        }
        setReg(a);
        return true;
    }

    /** {@code if ((RK(B) op RK(C)) ~= A) then pc++}: the skip jumps to pc + 2, else the JMP at pc + 1 runs. */
    private boolean compare(int pc, int a, int b, int c, String op) throws UnsupportedShape {
        // two numbers: compared as doubles (Luaj's lt_b/lteq_b/eq_b of numbers; NaN compares false)
        Label generic = new Label();
        Label decided = new Label();
        if (numeric && numbers.arithFast(at)) {
            // both numbers for certain: one double comparison and the jump
            number(b, generic);
            number(c, generic);
            int skip; // jump to pc + 2 when the comparison's result differs from A
            switch (op) {
                case "lt":
                    mv.visitInsn(DCMPG);
                    skip = a != 0 ? IFGE : IFLT;
                    break;
                case "le":
                    mv.visitInsn(DCMPG);
                    skip = a != 0 ? IFGT : IFLE;
                    break;
                default:
                    mv.visitInsn(DCMPL);
                    skip = a != 0 ? IFNE : IFEQ;
            }
            jump(skip, pc + 2);
            return true;
        }
        if (numeric && number(b, generic)) {
            boolean spill = !numbers.knownNumber(at, c);
            if (spill) {
                mv.visitVarInsn(DSTORE, lD1);
            }
            if (number(c, generic)) {
                if (spill) {
                    mv.visitVarInsn(DSTORE, lD2);
                    mv.visitVarInsn(DLOAD, lD1);
                    mv.visitVarInsn(DLOAD, lD2);
                }
                Label no = new Label();
                switch (op) {
                    case "lt":
                        mv.visitInsn(DCMPG);
                        mv.visitJumpInsn(IFGE, no);
                        break;
                    case "le":
                        mv.visitInsn(DCMPG);
                        mv.visitJumpInsn(IFGT, no);
                        break;
                    default:
                        mv.visitInsn(DCMPL);
                        mv.visitJumpInsn(IFNE, no);
                }
                mv.visitInsn(ICONST_1);
                mv.visitJumpInsn(GOTO, decided);
                mv.visitLabel(no);
                mv.visitInsn(ICONST_0);
                mv.visitJumpInsn(GOTO, decided);
            }
        }
        mv.visitLabel(generic);
        // through the meter, as the interpreter does: it charges comparisons of long strings
        if (localTicks) {
            genericCall("compare", "(" + D_METER + "II" + D_LV + "D" + D_LV + "D)Z", b, c);
        } else {
            mv.visitVarInsn(ALOAD, lMeter);
            valueCold(b);
            valueCold(c);
            mv.visitMethodInsn(INVOKEVIRTUAL, METER, op, "(" + D_LV + D_LV + ")Z", false);
        }
        mv.visitLabel(decided);
        jump(a != 0 ? IFEQ : IFNE, pc + 2);
        return true;
    }

    /** The interpreter's FORPREP conversion of a {@code for} operand ({@code what}: its name in the error). */
    private void checkNumber(int r, String what, int into) throws UnsupportedShape {
        mv.visitVarInsn(ALOAD, lMeter);
        reg(r);
        mv.visitLdcInsn(what);
        mv.visitMethodInsn(INVOKESTATIC, ARITHMETIC, "forValue", "(" + D_METER + D_LV + "Ljava/lang/String;)" + D_LV, false);
        mv.visitVarInsn(ASTORE, into);
    }

    /** The interpreter's CALL: the same specialised call()/invoke() forms for the same B and C. */
    private void call(int pc, int a, int b, int c) throws UnsupportedShape {
        if (NumericRegisters.numberResult(b, c) && dslot[a] >= 0 && typedCall(a, b)) {
            return;
        }
        if (b == 2 && c == 2 && dslot[a] >= 0) {
            numberCall(a);
            return;
        }
        if (c == 0 && (b == 1 || b == 2)) {
            reg(a);
            if (b == 1) {
                mv.visitFieldInsn(GETSTATIC, LV, "NONE", D_LV);
            } else {
                reg(a + 1);
            }
            invokeLV("invoke", "(" + D_VA + ")" + D_VA);
            mv.visitVarInsn(ASTORE, lV);
            return;
        }
        if ((c == 1 || c == 2) && b >= 1 && b <= 4) {
            reg(a);
            StringBuilder d = new StringBuilder("(");
            for (int j = 1; j < b; j++) {
                reg(a + j);
                d.append(D_LV);
            }
            invokeLV("call", d.append(")").append(D_LV).toString());
            if (c == 1) {
                mv.visitInsn(POP);
            } else {
                setReg(a);
            }
            return;
        }
        reg(a);
        argsFrom(pc, a + 1, b);
        invokeLV("invoke", "(" + D_VA + ")" + D_VA);
        if (c > 0) {
            mv.visitVarInsn(ASTORE, lV);
            for (int j = 0; j < c - 1; j++) {
                mv.visitVarInsn(ALOAD, lV);
                push(mv, j + 1);
                mv.visitMethodInsn(INVOKEVIRTUAL, VA, "arg", "(I)" + D_LV, false);
                setReg(a + j);
            }
            mv.visitFieldInsn(GETSTATIC, LV, "NONE", D_LV);
            mv.visitVarInsn(ASTORE, lV);
        } else {
            mv.visitVarInsn(ASTORE, lV);
        }
    }

    /**
     * {@code R(a) = R(a)(R(a + 1))} with the result read as a number: a {@code vm.NumberFunction} ({@code math.sqrt}
     * and its kind) called with a number is called unboxed on both sides ({@code callNumber}: the same call level,
     * charge and value); anything else is the plain call.
     */
    private void numberCall(int a) throws UnsupportedShape {
        Label generic = new Label();
        Label done = new Label();
        reg(a);
        mv.visitVarInsn(ASTORE, lT2);
        numberFunctionCall(a, generic, done);
        mv.visitLabel(generic);
        mv.visitVarInsn(ALOAD, lT2);
        valueCold(a + 1);
        invokeLV("call", "(" + D_LV + ")" + D_LV);
        setReg(a);
        mv.visitLabel(done);
    }

    /**
     * The function in {@code lT2} called with the number in {@code R(a + 1)} if it is a {@code vm.NumberFunction}
     * (result to {@code R(a)}, then to {@code done}), else to {@code generic} (JVM stack empty).
     */
    private void numberFunctionCall(int a, Label generic, Label done) throws UnsupportedShape {
        Label notNumber = new Label();
        // a class test first: an interface test that fails scans the class's interfaces (fib's compiled callee,
        // every call: 70 % slower), a LibFunction test is one comparison
        mv.visitVarInsn(ALOAD, lT2);
        mv.visitTypeInsn(INSTANCEOF, "org/luaj/vm2/lib/LibFunction");
        mv.visitJumpInsn(IFEQ, generic);
        mv.visitVarInsn(ALOAD, lT2);
        mv.visitTypeInsn(INSTANCEOF, NUMBER_FUNCTION);
        mv.visitJumpInsn(IFEQ, generic);
        mv.visitVarInsn(ALOAD, lT2);
        mv.visitTypeInsn(CHECKCAST, NUMBER_FUNCTION);
        if (!number(a + 1, notNumber)) {
            throw new UnsupportedShape("register operand expected");
        }
        normalise(); // library code sees the number the interpreter passes: +0, never -0
        mv.visitMethodInsn(INVOKEINTERFACE, NUMBER_FUNCTION, "callNumber", "(D)D", true);
        setNumber(a); // a -0 result (floor(-0.5)) stands for the integer 0 the call's box would be: either zero

        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(notNumber);
        mv.visitInsn(POP);
        mv.visitJumpInsn(GOTO, generic);
    }

    private static final String NUMBER_FUNCTION = "org/scriptbox/engine/vm/NumberFunction";

    private void setlist(int pc, int a, int b, int c) throws UnsupportedShape {
        if (c == 0) {
            c = s.code[pc + 1];
        }
        int offset = (c - 1) * Lua.LFIELDS_PER_FLUSH;
        if (b == 0) {
            int openAt = Lua.GETARG_A(s.code[pc - 1]);
            int nstack = openAt - a - 1;
            if (nstack < 0) {
                throw new UnsupportedShape("open results below the list");
            }
            // the interpreter's charge by their number, before the stores (Meter.stored)
            mv.visitVarInsn(ALOAD, lMeter);
            mv.visitVarInsn(ALOAD, lV);
            mv.visitMethodInsn(INVOKEVIRTUAL, VA, "narg", "()I", false);
            push(mv, nstack);
            mv.visitInsn(IADD);
            mv.visitMethodInsn(INVOKEVIRTUAL, METER, "stored", "(I)V", false);
            for (int j = 1; j <= nstack; j++) {
                reg(a);
                push(mv, offset + j);
                reg(a + j);
                invokeLV("set", "(I" + D_LV + ")V");
            }
            reg(a);
            push(mv, offset + nstack);
            mv.visitVarInsn(ALOAD, lV);
            mv.visitMethodInsn(INVOKESTATIC, OPS, "setlistRest", "(" + D_LV + "I" + D_VA + ")V", false);
        } else {
            reg(a);
            push(mv, offset + b);
            invokeLV("presize", "(I)V");
            for (int j = 1; j <= b; j++) {
                reg(a);
                push(mv, offset + j);
                reg(a + j);
                invokeLV("set", "(I" + D_LV + ")V");
            }
        }
    }

    private void closure(int a, int bx) throws UnsupportedShape {
        Prototype child = p.p[bx];
        Upvaldesc[] uv = child.upvalues;
        push(mv, uv.length);
        mv.visitTypeInsn(ANEWARRAY, UV);
        for (int j = 0; j < uv.length; j++) {
            mv.visitInsn(DUP);
            push(mv, j);
            if (uv[j].instack) {
                check(uv[j].idx);
                mv.visitVarInsn(ALOAD, lOpen);
                mv.visitVarInsn(ALOAD, lStack);
                push(mv, uv[j].idx);
                mv.visitMethodInsn(INVOKESTATIC, OPS, "upvalue", "([L" + UV + ";[" + D_LV + "I)L" + UV + ";", false);
            } else {
                upvalue(uv[j].idx);
            }
            mv.visitInsn(AASTORE);
        }
        mv.visitVarInsn(ASTORE, lT1);
        String childClass = children[bx];
        if (childClass != null) {
            mv.visitTypeInsn(NEW, childClass);
            mv.visitInsn(DUP);
            mv.visitVarInsn(ALOAD, lMeter);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, BASE, "globals", "L" + GLOBALS + ";");
            mv.visitVarInsn(ALOAD, lT1);
            mv.visitMethodInsn(INVOKESPECIAL, childClass, "<init>", CTOR, false);
        } else {
            mv.visitFieldInsn(GETSTATIC, className, FIELD_PROTOTYPE, D_PROTO);
            mv.visitFieldInsn(GETFIELD, PROTO, "p", "[" + D_PROTO);
            push(mv, bx);
            mv.visitInsn(AALOAD);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, BASE, "globals", "L" + GLOBALS + ";");
            mv.visitVarInsn(ALOAD, lT1);
            mv.visitMethodInsn(INVOKESTATIC, OPS, "interpreted",
                    "(" + D_PROTO + "L" + GLOBALS + ";[L" + UV + ";)Lorg/luaj/vm2/LuaFunction;", false);
        }
        setReg(a);
    }

    static void push(MethodVisitor m, int v) {
        if (v >= -1 && v <= 5) {
            m.visitInsn(ICONST_0 + v);
        } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            m.visitIntInsn(BIPUSH, v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            m.visitIntInsn(SIPUSH, v);
        } else {
            m.visitLdcInsn(v);
        }
    }

    // ---- typed entries: calls of compiled functions with numbers ---------------------------------------

    /** The method of a typed entry ({@code CompiledFunction.callNum}, overridden). */
    static final String TYPED_ENTRY = "callNum";
    /** Functions longer than this many instructions get no typed entry (it doubles their code). */
    static final int TYPED_ENTRY_MAX_CODE = 200;

    /** {@code (D..D)D} with {@code n} double parameters. */
    static String typedDescriptor(int n) {
        StringBuilder d = new StringBuilder("(");
        for (int i = 0; i < n; i++) {
            d.append('D');
        }
        return d.append(")D").toString();
    }

    /**
     * A typed entry is written for a function of 1 to 3 parameters (callers pass 1 to 3 arguments in the typed
     * form) that reads one of them as a number and may return a number held unboxed, is short (the entry is a second
     * copy of its body: compile time), and gets the numeric specialisation at all. Any other class keeps
     * {@code CompiledFunction}'s boxing {@code callNum}.
     */
    private boolean wantsTypedEntry() {
        if (typed || !numeric || np < 1 || np > 3 || (s.typedArities & (1 << np)) == 0
                || s.code.length > TYPED_ENTRY_MAX_CODE) {
            return false;
        }
        boolean[] u = NumericRegisters.unboxable(s, nregs, true);
        boolean param = false;
        for (int r = 0; r < np; r++) {
            param |= u[r];
        }
        if (!param) {
            return false;
        }
        for (int pc = 0; pc < s.code.length; pc++) {
            int i = s.code[pc];
            if (live(pc) && Lua.GET_OPCODE(i) == Lua.OP_RETURN && Lua.GETARG_B(i) >= 2 && Lua.GETARG_A(i) < nregs
                    && u[Lua.GETARG_A(i)]) {
                return true;
            }
        }
        return false;
    }

    /**
     * The typed entry's prologue: its parameters arrive as doubles in JVM slots 1, 3, 5 (the slots of registers
     * 0..2 and more): moved to the temporaries first, then each register gets its number unboxed (a parameter read as a
     * number) or boxed as the interpreter would hold it ({@code LuaDouble.valueOf}). No varargs: a caller passes
     * exactly the parameters.
     */
    private void typedParameters() throws UnsupportedShape {
        int[] tmp = {lD1, lD2, lD3};
        for (int j = 0; j < np; j++) {
            mv.visitVarInsn(DLOAD, 1 + 2 * j);
            mv.visitVarInsn(DSTORE, tmp[j]);
        }
        for (int j = 0; j < np; j++) {
            mv.visitVarInsn(DLOAD, tmp[j]);
            if (dslot[j] >= 0) {
                mv.visitVarInsn(DSTORE, dslot[j]);
                unboxedMarker();
            } else {
                mv.visitMethodInsn(INVOKESTATIC, OPS, "box", "(D)" + D_LV, false);
            }
            mv.visitVarInsn(ASTORE, 1 + j); // a captured parameter is copied to the array by the prologue
        }
        mv.visitFieldInsn(GETSTATIC, LV, "NONE", D_LV);
        mv.visitVarInsn(ASTORE, lVarargs);
    }

    /**
     * {@code RETURN} in the typed entry: the first value returned (nil for none), as a double after the
     * interpreter's epilogue (upvalues closed, depth left); a non-number leaves the entry as NaN with the value
     * in {@code escaped} ({@code Ops.resultNumber}).
     */
    private void typedReturn(int pc, int a, int b) throws UnsupportedShape {
        int first = a; // register of the first value, or -1: the open results' first
        if (b == 1) {
            first = -2; // nothing: nil
        } else if (b == 0) {
            int openAt = Lua.GETARG_A(s.code[pc - 1]);
            if (openAt < a) {
                throw new UnsupportedShape("open results below the returned registers");
            }
            first = openAt > a ? a : -1;
        }
        if (first >= 0 && numbers.inDouble(at, first)) {
            mv.visitVarInsn(DLOAD, dslot[first]);
            mv.visitVarInsn(DSTORE, lD1);
            mv.visitLabel(end[pc]);
            closeAll();
            exitDepth();
            mv.visitVarInsn(DLOAD, lD1);
            mv.visitInsn(DRETURN);
            return;
        }
        if (first >= 0 && numberInDouble(first)) {
            // unboxed or not: the number without a box, else the value
            Label boxed = new Label();
            Label number = new Label();
            mv.visitVarInsn(ALOAD, 1 + first);
            unboxedMarker();
            mv.visitJumpInsn(IF_ACMPNE, boxed);
            mv.visitVarInsn(DLOAD, dslot[first]);
            mv.visitVarInsn(DSTORE, lD1);
            mv.visitJumpInsn(GOTO, number);
            mv.visitLabel(boxed);
            mv.visitVarInsn(ALOAD, 1 + first);
            mv.visitVarInsn(ASTORE, lT1);
            mv.visitLabel(end[pc]);
            closeAll();
            exitDepth();
            resultOf(lT1);
            mv.visitLabel(number);
            closeAll();
            exitDepth();
            mv.visitVarInsn(DLOAD, lD1);
            mv.visitInsn(DRETURN);
            return;
        }
        if (first >= 0) {
            reg(first);
        } else if (first == -1) {
            mv.visitVarInsn(ALOAD, lV);
            mv.visitMethodInsn(INVOKEVIRTUAL, VA, "arg1", "()" + D_LV, false);
        } else {
            mv.visitFieldInsn(GETSTATIC, LV, "NIL", D_LV);
        }
        mv.visitVarInsn(ASTORE, lT1);
        mv.visitLabel(end[pc]);
        closeAll();
        exitDepth();
        resultOf(lT1);
    }

    /**
     * {@code TAILCALL} in the typed entry (its {@code TailcallVarargs} on the JVM stack): the epilogue, then the
     * tail call run and its first result taken, as {@code call(a, b)}'s {@code arg1()} does after the body.
     */
    private void typedReturnTail(int pc) {
        mv.visitVarInsn(ASTORE, lT1);
        mv.visitLabel(end[pc]);
        closeAll();
        exitDepth();
        mv.visitVarInsn(ALOAD, lT1);
        mv.visitMethodInsn(INVOKEVIRTUAL, VA, "arg1", "()" + D_LV, false);
        mv.visitVarInsn(ASTORE, lT1);
        resultOf(lT1);
    }

    private void exitDepth() {
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitMethodInsn(INVOKEVIRTUAL, METER, "exit", "()V", false);
    }

    /** Returns the value in {@code slot} as the typed entry's double ({@code Ops.resultNumber}). */
    private void resultOf(int slot) {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ALOAD, slot);
        mv.visitMethodInsn(INVOKESTATIC, OPS, "resultNumber", "(L" + BASE + ";" + D_LV + ")D", false);
        mv.visitInsn(DRETURN);
    }

    /**
     * {@code R(a) = R(a)(R(a + 1) .. R(a + b - 1))} with one result read as a number: a compiled function called
     * with numbers goes through its typed entry ({@code callNum}: the same call — depth, charges, errors — with no
     * box on either side; a non-number result comes back as NaN and its value from {@code Ops.nanResult}). A
     * {@code vm.NumberFunction} called with a number (b = 2) is called unboxed as before; anything else (another
     * callee, a non-number argument, a callable table) is the plain call. False when nothing was emitted.
     */
    private boolean typedCall(int a, int b) throws UnsupportedShape {
        boolean anyNumber = false;
        for (int j = 1; j < b; j++) {
            if (s.captured(a + j)) {
                return false; // not in the numeric registers' reach: the plain call
            }
            anyNumber |= dslot[a + j] >= 0;
        }
        if (!anyNumber) {
            return false; // no argument is ever a number here (binarytrees' check(tree[1])): no test that always fails
        }
        Label notCompiled = new Label();
        Label generic = new Label();
        Label nan = new Label();
        Label done = new Label();
        int[] tmp = {lD1, lD2, lD3};
        reg(a);
        mv.visitVarInsn(ASTORE, lT2);
        mv.visitVarInsn(ALOAD, lT2);
        mv.visitTypeInsn(INSTANCEOF, BASE);
        mv.visitJumpInsn(IFEQ, notCompiled);
        for (int j = 1; j < b; j++) {
            if (!number(a + j, generic)) {
                throw new UnsupportedShape("register operand expected");
            }
            mv.visitVarInsn(DSTORE, tmp[j - 1]);
        }
        InlineCallee inline = numeric ? calleeOf(at, a, b - 1) : null;
        if (inline != null) {
            inlined(inline, a, tmp, done);
        }
        mv.visitVarInsn(ALOAD, lT2);
        mv.visitTypeInsn(CHECKCAST, BASE);
        for (int j = 1; j < b; j++) {
            mv.visitVarInsn(DLOAD, tmp[j - 1]);
        }
        mv.visitMethodInsn(INVOKEVIRTUAL, BASE, TYPED_ENTRY, typedDescriptor(b - 1), false);
        mv.visitInsn(DUP2);
        mv.visitInsn(DUP2);
        mv.visitInsn(DCMPL);
        mv.visitJumpInsn(IFNE, nan); // NaN: a number NaN, or a non-number result
        setNumber(a);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(nan);
        mv.visitInsn(POP2);
        mv.visitVarInsn(ALOAD, lT2);
        mv.visitTypeInsn(CHECKCAST, BASE);
        mv.visitMethodInsn(INVOKESTATIC, OPS, "nanResult", "(L" + BASE + ";)" + D_LV, false);
        setReg(a);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(notCompiled);
        if (b == 2) {
            numberFunctionCall(a, generic, done);
        }
        mv.visitLabel(generic);
        mv.visitVarInsn(ALOAD, lT2);
        StringBuilder d = new StringBuilder("(");
        for (int j = 1; j < b; j++) {
            valueCold(a + j);
            d.append(D_LV);
        }
        invokeLV("call", d.append(")").append(D_LV).toString());
        setReg(a);
        mv.visitLabel(done);
        return true;
    }

    /**
     * The plain callee ({@link InlineCallee}) of {@code nargs} parameters that the call at {@code pc} probably calls:
     * {@code R(a)} loaded just before by {@code GETUPVAL} of an upvalue known to hold one, or by {@code MOVE} from a
     * register this function sets with {@code CLOSURE} of one. A guess only: the inlined code is guarded by the
     * closure's class at run time.
     */
    private InlineCallee calleeOf(int pc, int a, int nargs) {
        for (int j = pc - 1; j >= 0 && j >= pc - 8; j--) {
            int i = s.code[j];
            int op = Lua.GET_OPCODE(i);
            int target = Lua.GETARG_A(i);
            if (target > a && (op == Lua.OP_MOVE || op == Lua.OP_LOADK || op == Lua.OP_GETUPVAL)) {
                continue; // an argument
            }
            if (target != a) {
                return null;
            }
            InlineCallee callee = null;
            if (op == Lua.OP_GETUPVAL) {
                callee = upvalueCallees.apply(Lua.GETARG_B(i));
            } else if (op == Lua.OP_MOVE) {
                int bx = closureInto(s.code, Lua.GETARG_B(i));
                callee = bx >= 0 && p.p != null && bx < p.p.length ? InlineCallee.of(p.p[bx], children[bx]) : null;
            }
            return callee != null && callee.p.numparams == nargs ? callee : null;
        }
        return null;
    }

    /** The child index of the one {@code CLOSURE} into register {@code r} in {@code code}, else -1. */
    static int closureInto(int[] code, int r) {
        int found = -1;
        for (int i : code) {
            if (Lua.GET_OPCODE(i) == Lua.OP_CLOSURE && Lua.GETARG_A(i) == r) {
                if (found >= 0 && found != Lua.GETARG_Bx(i)) {
                    return -1;
                }
                found = Lua.GETARG_Bx(i);
            }
        }
        return found;
    }

    /**
     * The callee's body in place of the call (the closure in {@code lT2}, the numbers in {@code args}), result to
     * {@code R(a)} and on to {@code done}; to the code after it (the typed call) when the closure is not of the
     * callee's class, belongs to another meter, or the callee's instructions do not all fit the ticks left (then the
     * call charges them one by one and meets the check where the interpreter does). Runs inside the CALL's whole
     * bracket ({@link FunctionShape#needsSync}): {@code meter.ticks} is the count here.
     */
    private void inlined(InlineCallee callee, int a, int[] args, Label done) throws UnsupportedShape {
        Label call = new Label();
        mv.visitVarInsn(ALOAD, lT2);
        mv.visitTypeInsn(INSTANCEOF, callee.className);
        mv.visitJumpInsn(IFEQ, call);
        mv.visitVarInsn(ALOAD, lT2);
        mv.visitTypeInsn(CHECKCAST, BASE);
        mv.visitFieldInsn(GETFIELD, BASE, "meter", "L" + METER + ";");
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitJumpInsn(IF_ACMPNE, call);
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitFieldInsn(GETFIELD, METER, "ticks", "I");
        push(mv, callee.charged);
        mv.visitJumpInsn(IF_ICMPLE, call);
        // the callee's prologue: the call level (the depth limit met here, before any of its instructions)
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitMethodInsn(INVOKEVIRTUAL, METER, "enter", "()V", false);
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitInsn(DUP);
        mv.visitFieldInsn(GETFIELD, METER, "ticks", "I");
        push(mv, callee.charged);
        mv.visitInsn(ISUB);
        mv.visitFieldInsn(PUTFIELD, METER, "ticks", "I");
        callee.emit(mv, args, lInline);
        // its epilogue: no upvalues to close (it has no closures), the level left
        mv.visitVarInsn(ALOAD, lMeter);
        mv.visitMethodInsn(INVOKEVIRTUAL, METER, "exit", "()V", false);
        setNumber(a);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(call);
    }

    /**
     * Frames are computed by ASM; where two reference types meet, it asks for their common superclass.
     * Luaj's classes resolve through the engine's loader; the classes being generated (not loadable yet)
     * are all {@link CompiledFunction}s.
     */
    private static final class FrameComputingWriter extends ClassWriter {
        FrameComputingWriter() {
            super(ClassWriter.COMPUTE_FRAMES);
        }

        @Override
        protected String getCommonSuperClass(String type1, String type2) {
            if (type1.equals(type2)) {
                return type1;
            }
            Class<?> c1 = resolve(type1);
            Class<?> c2 = resolve(type2);
            if (c1.isAssignableFrom(c2)) {
                return name(c1);
            }
            if (c2.isAssignableFrom(c1)) {
                return name(c2);
            }
            if (c1.isInterface() || c2.isInterface()) {
                return "java/lang/Object";
            }
            do {
                c1 = c1.getSuperclass();
            } while (!c1.isAssignableFrom(c2));
            return name(c1);
        }

        private static Class<?> resolve(String internalName) {
            if (internalName.startsWith(AsmCompiler.PACKAGE_ROOT)) {
                return CompiledFunction.class;
            }
            return RESOLVED.computeIfAbsent(internalName, n -> {
                try {
                    return Class.forName(n.replace('/', '.'), false, FunctionWriter.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    return Object.class;
                }
            });
        }

        /** Luaj and JDK classes only (generated names never get here): a bounded set. */
        private static final java.util.Map<String, Class<?>> RESOLVED = new java.util.concurrent.ConcurrentHashMap<>();

        private static String name(Class<?> c) {
            return c == CompiledFunction.class ? BASE : c.getName().replace('.', '/');
        }
    }
}
