package org.scriptbox.engine.errors;

import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;

/**
 * What a register or upvalue is called at an instruction, found by reading the function's code: PUC
 * Lua's {@code getobjname}/{@code funcnamefromcode} (ldebug.c) over Luaj's (Lua 5.2) bytecode, with Lua
 * 5.4's words ({@code global}, {@code local}, {@code field}, {@code method}, {@code upvalue},
 * {@code constant}, {@code for iterator}). Static: nothing is recorded while the code runs.
 */
public final class VariableNames {
    /** Lua 5.4 indexes with OP_GETI for integer constants up to this (its C argument); the name is then fixed. */
    private static final int MAX_GETI_KEY = 255;

    private VariableNames() {
    }

    /**
     * Characters of a name kept in messages: a name is as long as the source allows (an identifier or
     * a string key of 200,000 characters), a message must stay small (as Lua cuts chunk names, LUA_IDSIZE).
     */
    public static final int MAX_NAME = 60;

    /** A kind ({@code "local"}, {@code "global"} ...) and a name, cut to {@link #MAX_NAME} characters. */
    public record Name(String kind, String name) {
        public Name {
            if (name.length() > MAX_NAME) {
                int end = Character.isHighSurrogate(name.charAt(MAX_NAME - 4)) ? MAX_NAME - 4 : MAX_NAME - 3;
                name = name.substring(0, end) + "...";
            }
        }

        /** {@code " (local 'cfg')"}, the suffix of an error message. */
        public String suffix() {
            return " (" + kind + " '" + name + "')";
        }
    }

    /** The name of register {@code reg} as the instruction at {@code pc} reads it, or null. */
    public static Name register(Prototype p, int pc, int reg) {
        LuaString local = p.getlocalname(reg + 1, pc);
        if (local != null) {
            return new Name("local", local.tojstring());
        }
        int setter = findSetter(p, pc, reg);
        if (setter < 0) {
            return null;
        }
        int i = p.code[setter];
        switch (Lua.GET_OPCODE(i)) {
            case Lua.OP_MOVE: {
                int b = Lua.GETARG_B(i);
                return b < Lua.GETARG_A(i) ? register(p, setter, b) : null;
            }
            case Lua.OP_GETTABUP: {
                String table = upvalue(p, Lua.GETARG_B(i));
                return new Name("_ENV".equals(table) ? "global" : "field", key(p, setter, Lua.GETARG_C(i)));
            }
            case Lua.OP_GETTABLE: {
                Name table = register(p, setter, Lua.GETARG_B(i));
                boolean env = table != null && "_ENV".equals(table.name()) && "local".equals(table.kind());
                return new Name(env ? "global" : "field", key(p, setter, Lua.GETARG_C(i)));
            }
            case Lua.OP_GETUPVAL:
                return new Name("upvalue", upvalue(p, Lua.GETARG_B(i)));
            case Lua.OP_LOADK:
            case Lua.OP_LOADKX: {
                int b = Lua.GET_OPCODE(i) == Lua.OP_LOADK ? Lua.GETARG_Bx(i) : Lua.GETARG_Ax(p.code[setter + 1]);
                LuaValue k = p.k[b];
                return k.type() == LuaValue.TSTRING ? new Name("constant", k.tojstring()) : null;
            }
            case Lua.OP_SELF:
                return new Name("method", key(p, setter, Lua.GETARG_C(i)));
            default:
                return null;
        }
    }

    /** The name of the function the call instruction at {@code pc} calls, or null (PUC's funcnamefromcode). */
    public static Name calledFunction(Prototype p, int pc) {
        if (pc < 0 || pc >= p.code.length) {
            return null;
        }
        int i = p.code[pc];
        switch (Lua.GET_OPCODE(i)) {
            case Lua.OP_CALL:
            case Lua.OP_TAILCALL:
                return register(p, pc, Lua.GETARG_A(i));
            case Lua.OP_TFORCALL:
                return new Name("for iterator", "for iterator");
            case Lua.OP_SELF:
            case Lua.OP_GETTABUP:
            case Lua.OP_GETTABLE:
                return new Name("metamethod", "index");
            case Lua.OP_SETTABUP:
            case Lua.OP_SETTABLE:
                return new Name("metamethod", "newindex");
            case Lua.OP_ADD: return new Name("metamethod", "add");
            case Lua.OP_SUB: return new Name("metamethod", "sub");
            case Lua.OP_MUL: return new Name("metamethod", "mul");
            case Lua.OP_DIV: return new Name("metamethod", "div");
            case Lua.OP_MOD: return new Name("metamethod", "mod");
            case Lua.OP_POW: return new Name("metamethod", "pow");
            case Lua.OP_UNM: return new Name("metamethod", "unm");
            case Lua.OP_LEN: return new Name("metamethod", "len");
            case Lua.OP_CONCAT: return new Name("metamethod", "concat");
            case Lua.OP_EQ: return new Name("metamethod", "eq");
            case Lua.OP_LT: return new Name("metamethod", "lt");
            case Lua.OP_LE: return new Name("metamethod", "le");
            default:
                return null;
        }
    }

    /** Upvalue {@code index}'s name, or "?". */
    public static String upvalue(Prototype p, int index) {
        if (p.upvalues == null || index < 0 || index >= p.upvalues.length || p.upvalues[index].name == null) {
            return "?";
        }
        return p.upvalues[index].name.tojstring();
    }

    /**
     * The name of key {@code rk} (a constant or a register): a string constant is its own name; Lua
     * 5.4 calls a small integer constant "integer index" (OP_GETI); anything else is "?".
     */
    private static String key(Prototype p, int pc, int rk) {
        if (Lua.ISK(rk)) {
            LuaValue k = p.k[Lua.INDEXK(rk)];
            if (k.type() == LuaValue.TSTRING) {
                return k.tojstring();
            }
            if (k.isinttype() && k.toint() >= 0 && k.toint() <= MAX_GETI_KEY) {
                return "integer index";
            }
            return "?";
        }
        Name n = register(p, pc, rk);
        return n != null && "constant".equals(n.kind()) ? n.name() : "?";
    }

    /**
     * The last instruction before {@code lastPc} that set {@code reg}, or -1 if that depends on a jump
     * (PUC's findsetreg).
     */
    private static int findSetter(Prototype p, int lastPc, int reg) {
        int setter = -1;
        int jumpTarget = 0;
        int[] code = p.code;
        for (int pc = 0; pc < lastPc && pc < code.length; pc++) {
            int i = code[pc];
            int op = Lua.GET_OPCODE(i);
            int a = Lua.GETARG_A(i);
            switch (op) {
                case Lua.OP_LOADNIL:
                    if (a <= reg && reg <= a + Lua.GETARG_B(i)) {
                        setter = pc < jumpTarget ? -1 : pc;
                    }
                    break;
                case Lua.OP_TFORCALL:
                    if (reg >= a + 2) {
                        setter = pc < jumpTarget ? -1 : pc;
                    }
                    break;
                case Lua.OP_CALL:
                case Lua.OP_TAILCALL:
                    if (reg >= a) {
                        setter = pc < jumpTarget ? -1 : pc;
                    }
                    break;
                case Lua.OP_JMP: {
                    int dest = pc + 1 + Lua.GETARG_sBx(i);
                    if (pc < dest && dest <= lastPc && dest > jumpTarget) {
                        jumpTarget = dest;
                    }
                    break;
                }
                case Lua.OP_TEST:
                    if (reg == a) {
                        setter = pc < jumpTarget ? -1 : pc;
                    }
                    break;
                default:
                    if (Lua.testAMode(op) && reg == a) {
                        setter = pc < jumpTarget ? -1 : pc;
                    }
                    break;
            }
        }
        return setter;
    }
}
