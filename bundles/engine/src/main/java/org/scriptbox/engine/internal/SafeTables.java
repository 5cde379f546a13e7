package org.scriptbox.engine.internal;

import org.luaj.vm2.Buffer;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.scriptbox.engine.vm.EngineTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.scriptbox.engine.errors.ArgumentError;

/**
 * Table functions replaced so that limits hold inside them: {@code table.concat} checks the result's
 * length as it builds it, {@code table.insert} and {@code table.pack} the table size, and
 * {@code table.unpack} the number of values; {@code table.sort} is the engine's own
 * ({@link TableSort}). Each charges the budget for its elements ({@link Budget#charge}).
 */
final class SafeTables {
    private SafeTables() {
    }

    static void install(LuaTable table) {
        table.set("concat", new Concat());
        table.set("insert", new Insert());
        table.set("unpack", new Unpack());
        table.set("pack", new Pack());
        table.set("remove", new Remove());
        table.set("sort", new TableSort());
    }

    static final class Concat extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = args.checktable(1);
            LuaString sep = args.optstring(2, EMPTYSTRING);
            int i = args.optint(3, 1);
            int j = args.isnoneornil(4) ? t.length() : args.checkint(4);
            if (i > j) {
                return EMPTYSTRING;
            }
            Budget budget = SafeStrings.budget();
            budget.checkTableSize((long) j - i + 1);
            // One pass: each piece's exact length is checked before it is appended.
            Buffer sb = new Buffer();
            long length = 0;
            for (int k = i; k <= j; k++) {
                LuaValue v = t.get(k);
                if (!v.isstring()) {
                    argerror(1, "invalid value (at index " + k + ") in table for 'concat'");
                }
                LuaString s = org.scriptbox.engine.vm.NumberText.of(v); // a number as Lua writes it
                budget.charge(2 + (v.type() == TNUMBER ? Budget.numberText(v) / Budget.CONCAT_BYTES_PER_UNIT : 0));
                length += s.length() + (k > i ? sep.length() : 0);
                budget.checkStringLength(length);
                if (k > i) {
                    sb.append(sep);
                }
                sb.append(s);
            }
            return sb.tostring();
        }
    }

    /**
     * {@code table.insert(t, [pos,] v)} as Lua 5.2's {@code tinsert}: {@code #t} read once ({@code __len} honoured),
     * the elements from {@code pos} to {@code #t} moved up with raw accesses, one instruction each. Luaj's read
     * {@code #t} twice and moved elements up to the first nil past it, however many, uncharged when {@code __len} was
     * small (red team E17); its bounds check missed -2^31 (E16).
     */
    static final class Insert extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = args.checktable(1);
            int length = t.length();
            Budget budget = SafeStrings.budget();
            budget.checkTableSize((long) length + 1);
            long e = (long) length + 1; // the first empty element
            switch (args.narg()) {
                case 2:
                    t.rawset((int) e, args.arg(2));
                    return NONE;
                case 3:
                    int pos = args.checkint(2);
                    if (pos < 1 || pos > e) {
                        throw new ArgumentError("table.insert", 2, "position out of bounds");
                    }
                    budget.charge(e - pos); // the elements after the position move up
                    for (long i = e; i > pos; i--) {
                        t.rawset((int) i, t.rawget((int) i - 1));
                    }
                    t.rawset(pos, args.arg(3));
                    return NONE;
                default:
                    throw new LuaError("wrong number of arguments to 'insert'");
            }
        }
    }

    /**
     * {@code table.remove(t [, pos])} as Lua 5.2's {@code tremove}: {@code #t} read once, the elements after
     * {@code pos} moved down, one instruction each (removing the last element moves none; Luaj's charged {@code #t}).
     */
    static final class Remove extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = args.checktable(1);
            int size = t.length();
            int pos = args.isnoneornil(2) ? size : args.checkint(2);
            if (pos != size && (pos < 1 || pos > (long) size + 1)) {
                throw new ArgumentError("table.remove", 1, "position out of bounds"); // #1 as lua5.4 (5.4.4) says
            }
            SafeStrings.budget().charge(Math.max(0L, (long) size - pos));
            LuaValue removed = t.rawget(pos);
            for (; pos < size; pos++) {
                t.rawset(pos, t.rawget(pos + 1));
            }
            t.rawset(pos, NIL);
            return removed;
        }
    }

    static final class Unpack extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = args.checktable(1);
            int i = args.optint(2, 1);
            int j = args.isnoneornil(3) ? t.length() : args.checkint(3);
            if (i > j) {
                return NONE;
            }
            SafeStrings.budget().checkTableSize((long) j - i + 1);
            return t.unpack(i, j);
        }
    }

    static final class Pack extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            SafeStrings.budget().checkTableSize(args.narg());
            LuaTable t = new EngineTable(args, 1);
            t.set("n", args.narg());
            return t;
        }
    }
}
