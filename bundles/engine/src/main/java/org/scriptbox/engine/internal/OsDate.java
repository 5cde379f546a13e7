package org.scriptbox.engine.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.scriptbox.engine.errors.ArgumentError;
import org.scriptbox.engine.vm.EngineTable;

/**
 * {@code os.date([format [, time]])} as lua5.4's {@code os_date} on glibc in the C locale: the C99 conversions and
 * their {@code E}/{@code O} forms, anything else refused naming the rest of the format; {@code *t} and {@code !*t}
 * tables; every time a script can name (negative ones, far years: {@link CivilTime}). Luaj's padded {@code %e} with
 * a zero, had no {@code %e %u %D %C %F %G %g %V %h %n %t %r %R %T %z} nor {@code E}/{@code O}, named a refused
 * conversion by its byte's number, ignored negative times (today's date), and gave {@code !*t} no fields.
 * Charged per conversion before it runs; its result is held to the string limit as it grows.
 */
final class OsDate extends VarArgFunction {
    /** Instructions per {@code %c}/{@code %x}/{@code %X} (several conversions in one). */
    static final int CALENDAR_CONVERSION_COST = 400;
    /** Instructions per other conversion or character of the format. */
    static final int CONVERSION_COST = 8;
    private static final String NAME = "os.date";
    /** lua5.4's LUA_STRFTIMEOPTIONS for C99: the single conversions, then those after E and after O. */
    private static final String SINGLE = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
    private static final String AFTER_E = "cCxXyY";
    private static final String AFTER_O = "deHImMSuUVwWy";
    private static final String[] DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"};

    @Override
    public Varargs invoke(Varargs args) {
        LuaString format = args.arg1().isnil() ? LuaString.valueOf("%c") : args.arg1().checkstring();
        long time = args.arg(2).isnil() ? Math.floorDiv(System.currentTimeMillis(), 1000) : time(args.arg(2));
        charge(format);
        byte[] f = format.m_bytes;
        int i = format.m_offset;
        int end = i + format.m_length;
        boolean utc = i < end && f[i] == '!';
        if (utc) {
            i++;
        }
        // 2^60 s is 3.6e10 years: beyond C's int years either way (and the zone's offset cannot overflow a long)
        CivilTime t = Math.abs(time) > 1L << 60 ? null : utc ? CivilTime.utc(time) : CivilTime.local(time);
        if (t == null || t.year() - 1900 > Integer.MAX_VALUE || t.year() - 1900 < Integer.MIN_VALUE) {
            throw new LuaError("date result cannot be represented in this installation");
        }
        if (end - i >= 2 && f[i] == '*' && f[i + 1] == 't') {
            return table(t);
        }
        Output out = new Output();
        while (i < end) {
            byte b = f[i++];
            if (b != '%') {
                out.write(b);
                continue;
            }
            int conversion = i < end ? f[i] & 0xff : -1;
            int length = conversion == 'E' || conversion == 'O' ? 2 : 1;
            String allowed = conversion == 'E' ? AFTER_E : conversion == 'O' ? AFTER_O : SINGLE;
            int last = length == 2 ? (i + 1 < end ? f[i + 1] & 0xff : -1) : conversion;
            if (last < 0 || allowed.indexOf(last) < 0) {
                String rest = new String(f, i, end - i, StandardCharsets.ISO_8859_1);
                throw new ArgumentError(NAME, 1, "invalid conversion specifier '%" + rest + "'");
            }
            i += length;
            convert((char) last, t, out);
        }
        return LuaString.valueUsing(out.toByteArray());
    }

    /** The time argument: a number (or numeric string) truncated toward zero as Lua 5.2 does; none beyond 2^63. */
    private static long time(LuaValue v) {
        double d = v.checknumber().todouble();
        if (Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63) {
            throw new ArgumentError(NAME, 2, "number has no integer representation");
        }
        return (long) d;
    }

    private static void charge(LuaString format) {
        byte[] fmt = format.m_bytes;
        long cost = 0;
        for (int i = format.m_offset, end = i + format.m_length; i < end; i++) {
            if (fmt[i] == '%' && i + 1 < end) {
                byte c = fmt[++i];
                cost += c == 'c' || c == 'x' || c == 'X' ? CALENDAR_CONVERSION_COST : CONVERSION_COST;
            } else {
                cost++;
            }
        }
        SafeStrings.budget().charge(cost);
    }

    private static LuaTable table(CivilTime t) {
        LuaTable o = new EngineTable();
        o.set("year", LuaValue.valueOf((double) t.year()));
        o.set("month", t.month());
        o.set("day", t.day());
        o.set("hour", t.hour());
        o.set("min", t.min());
        o.set("sec", t.sec());
        o.set("wday", t.wday() + 1);
        o.set("yday", t.yday() + 1);
        o.set("isdst", LuaValue.valueOf(t.isdst()));
        return o;
    }

    /** The formatted text, refused past the string limit as it grows (a format of 10,000 {@code %c}s). */
    private static final class Output extends ByteArrayOutputStream {
        void text(String s) {
            SafeStrings.budget().checkStringLength((long) count + s.length());
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            write(b, 0, b.length);
        }

        @Override
        public synchronized void write(int b) {
            SafeStrings.budget().checkStringLength(count + 1L);
            super.write(b);
        }
    }

    private static void convert(char c, CivilTime t, Output out) {
        switch (c) {
            case 'a' -> out.text(DAYS[t.wday()].substring(0, 3));
            case 'A' -> out.text(DAYS[t.wday()]);
            case 'b', 'h' -> out.text(MONTHS[t.month() - 1].substring(0, 3));
            case 'B' -> out.text(MONTHS[t.month() - 1]);
            case 'c' -> compose("%a %b %e %T %Y", t, out);
            case 'C' -> out.text(Long.toString(Math.floorDiv(t.year(), 100)));   // glibc pads no century
            case 'd' -> out.text(two(t.day()));
            case 'D', 'x' -> compose("%m/%d/%y", t, out);
            case 'e' -> out.text(t.day() < 10 ? " " + t.day() : Integer.toString(t.day()));
            case 'F' -> compose("%Y-%m-%d", t, out);
            case 'g' -> out.text(two(Math.floorMod(IsoWeek.year(t), 100)));
            case 'G' -> out.text(Long.toString(IsoWeek.year(t)));
            case 'H' -> out.text(two(t.hour()));
            case 'I' -> out.text(two(t.hour() % 12 == 0 ? 12 : t.hour() % 12));
            case 'j' -> out.text(String.format("%03d", t.yday() + 1));
            case 'm' -> out.text(two(t.month()));
            case 'M' -> out.text(two(t.min()));
            case 'n' -> out.text("\n");
            case 'p' -> out.text(t.hour() < 12 ? "AM" : "PM");
            case 'r' -> compose("%I:%M:%S %p", t, out);
            case 'R' -> compose("%H:%M", t, out);
            case 'S' -> out.text(two(t.sec()));
            case 't' -> out.text("\t");
            case 'T', 'X' -> compose("%H:%M:%S", t, out);
            case 'u' -> out.text(Integer.toString(t.wday() == 0 ? 7 : t.wday()));
            case 'U' -> out.text(two((t.yday() + 7 - t.wday()) / 7));
            case 'V' -> out.text(two(IsoWeek.week(t)));
            case 'w' -> out.text(Integer.toString(t.wday()));
            case 'W' -> out.text(two((t.yday() + 7 - (t.wday() + 6) % 7) / 7));
            case 'y' -> out.text(two(Math.floorMod(t.year(), 100)));
            case 'Y' -> out.text(Long.toString(t.year()));
            case 'z' -> {
                int o = Math.abs(t.offsetSeconds()) / 60;
                out.text((t.offsetSeconds() < 0 ? "-" : "+") + two(o / 60) + two(o % 60));
            }
            case 'Z' -> out.text(t.zone());
            case '%' -> out.text("%");
            default -> throw new IllegalStateException("conversion " + c);
        }
    }

    /** A conversion that is others in a row: the C locale's {@code %c} is {@code %a %b %e %T %Y}. */
    private static void compose(String pattern, CivilTime t, Output out) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '%') {
                convert(pattern.charAt(++i), t, out);
            } else {
                out.write(c);
            }
        }
    }

    private static String two(long n) {
        return n >= 0 && n < 10 ? "0" + n : Long.toString(n);
    }

    /** ISO 8601 weeks (glibc's %G, %g, %V): weeks start on Monday, week 1 holds the year's first Thursday. */
    private static final class IsoWeek {
        /** Days between the ISO week's Monday and the given day of the year, for a year starting on {@code wday}. */
        private static int isoDays(int yday, int wday) {
            int bigEnoughMultipleOf7 = (366 / 7 + 2) * 7;   // makes the first operand of % positive (glibc's)
            return yday - (yday - wday + 4 + bigEnoughMultipleOf7) % 7 + 3;
        }

        /** The ISO week's year and week, as glibc's iso_week_days (Monday = 1). */
        private static long[] yearAndWeek(CivilTime t) {
            long year = t.year();
            int days = isoDays(t.yday(), t.wday());
            if (days < 0) {
                year--;
                days = isoDays(t.yday() + (leap(year) ? 366 : 365), t.wday());
            } else {
                int next = isoDays(t.yday() - (leap(year) ? 366 : 365), t.wday());
                if (next >= 0) {
                    year++;
                    days = next;
                }
            }
            return new long[] {year, days / 7 + 1};
        }

        static long year(CivilTime t) {
            return yearAndWeek(t)[0];
        }

        static int week(CivilTime t) {
            return (int) yearAndWeek(t)[1];
        }

        private static boolean leap(long y) {
            return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        }
    }
}
