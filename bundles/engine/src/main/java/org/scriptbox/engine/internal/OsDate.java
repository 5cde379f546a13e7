package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code os.date}: Luaj's, charged per conversion before it runs. Luaj builds a new {@code Calendar} for
 * every {@code %c}, {@code %x} and {@code %X} (microseconds each), so {@code os.date(('%c'):rep(4000))}
 * did ~100 ms of work for one instruction. (Its result is held to the string limit by {@link LibraryCall}.)
 */
final class OsDate extends VarArgFunction {
    /** Instructions per {@code %c}/{@code %x}/{@code %X}: a Calendar of its own. */
    static final int CALENDAR_CONVERSION_COST = 400;
    /** Instructions per other conversion or character of the format. */
    static final int CONVERSION_COST = 8;

    private final LuaValue luaj;

    OsDate(LuaValue luaj) {
        this.luaj = luaj;
    }

    @Override
    public Varargs invoke(Varargs args) {
        LuaValue format = args.arg1();
        if (format.type() == TSTRING) {
            byte[] fmt = format.checkstring().m_bytes;
            int offset = format.checkstring().m_offset;
            int length = format.rawlen();
            long cost = 0;
            for (int i = 0; i < length; i++) {
                if (fmt[offset + i] == '%' && i + 1 < length) {
                    byte c = fmt[offset + ++i];
                    cost += c == 'c' || c == 'x' || c == 'X' ? CALENDAR_CONVERSION_COST : CONVERSION_COST;
                } else {
                    cost++;
                }
            }
            SafeStrings.budget().charge(cost);
        }
        return luaj.invoke(args);
    }
}
