package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaTable;
import org.scriptbox.engine.vm.EngineTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code os.time([t])}: Luaj's, with the fields of {@code t} that are numeric strings turned into numbers
 * first (in a copy). Luaj reads each field with {@code checkint()}, which for a string wrapped modulo 2^32
 * ({@code year = '4294967297'} was year 1) where a number beyond the integer range is an error; now both
 * give the same error, as every other integer argument does (a field beyond the int range is a {@link WideNumber},
 * which Luaj's {@code checkint()} cannot wrap).
 */
final class OsTime extends VarArgFunction {
    private static final String[] FIELDS = {"year", "month", "day", "hour", "min", "sec", "isdst"};

    private final LuaValue luaj;

    OsTime(LuaValue luaj) {
        this.luaj = luaj;
    }

    @Override
    public Varargs invoke(Varargs args) {
        if (!args.arg1().istable()) {
            return luaj.invoke(args);
        }
        LuaValue t = args.arg1();
        LuaTable fields = new EngineTable();
        for (String name : FIELDS) {
            LuaValue v = t.get(name);
            fields.set(name, WideNumber.guard(v.type() == TSTRING ? v.checknumber() : v));
        }
        return luaj.invoke(fields);
    }
}
