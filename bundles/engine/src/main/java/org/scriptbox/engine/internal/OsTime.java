package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code os.time([t])} as lua5.4's {@code os_time}: now in whole seconds (Luaj's had milliseconds in it), or the
 * local time of {@code t}'s fields normalised as mktime does ({@code month = 14}, {@code day = 0}, {@code sec = -5}),
 * in the proleptic Gregorian calendar ({@link CivilTime}; Luaj's {@code Calendar} went Julian before 1582, two days
 * off at year 1). Each field is read as loslib's getfield reads it: {@code year}, {@code month} and {@code day}
 * required, a number or numeric string (truncated toward zero, as Lua 5.2 does), and within C's {@code int} once
 * its base is taken off ({@code year - 1900}, {@code month - 1}), else {@code field 'year' is out-of-bound}.
 * {@code isdst} is not read: the zone's rules decide, as glibc's mktime with {@code tm_isdst = -1}.
 */
final class OsTime extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
        LuaValue t = args.arg1();
        if (t.isnil()) {
            return LuaValue.valueOf((double) Math.floorDiv(System.currentTimeMillis(), 1000));
        }
        long year = field(t, "year", -1, 1900);
        long month = field(t, "month", -1, 1);
        long day = field(t, "day", -1, 0);
        long hour = field(t, "hour", 12, 0);
        long min = field(t, "min", 0, 0);
        long sec = field(t, "sec", 0, 0);
        return LuaValue.valueOf((double) CivilTime.epochSeconds(year, month, day, hour, min, sec, false));
    }

    /** A field of the date table; {@code absent < 0}: required. {@code delta}: the base C's struct tm takes off. */
    private static long field(LuaValue t, String name, int absent, int delta) {
        LuaValue v = t.get(name);
        if (v.isnil()) {
            if (absent < 0) {
                throw new LuaError("field '" + name + "' missing in date table");
            }
            return absent;
        }
        if (!v.isnumber()) {
            throw new LuaError("field '" + name + "' is not an integer");
        }
        double d = v.todouble();
        if (Double.isNaN(d) || d - delta > Integer.MAX_VALUE || d - delta < Integer.MIN_VALUE) {
            throw new LuaError("field '" + name + "' is out-of-bound");
        }
        return (long) d;
    }
}
