package org.scriptbox.engine.internal;

import org.luaj.vm2.Buffer;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.scriptbox.engine.vm.EngineTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

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
        table.set("insert", new Insert((VarArgFunction) table.get("insert")));
        table.set("unpack", new Unpack());
        table.set("pack", new Pack());
        table.set("remove", new Remove((VarArgFunction) table.get("remove")));
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

    static final class Insert extends VarArgFunction {
        private final VarArgFunction luaj;

        Insert(VarArgFunction luaj) {
            this.luaj = luaj;
        }

        @Override
        public Varargs invoke(Varargs args) {
            int length = args.checktable(1).length();
            Budget budget = SafeStrings.budget();
            budget.checkTableSize((long) length + 1);
            if (args.narg() > 2) {
                budget.charge(length); // the elements after the position move up
            }
            return luaj.invoke(args);
        }
    }

    /** {@code table.remove}: the elements after the position move down, one instruction each. */
    static final class Remove extends VarArgFunction {
        private final VarArgFunction luaj;

        Remove(VarArgFunction luaj) {
            this.luaj = luaj;
        }

        @Override
        public Varargs invoke(Varargs args) {
            SafeStrings.budget().charge(args.checktable(1).length());
            return luaj.invoke(args);
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
