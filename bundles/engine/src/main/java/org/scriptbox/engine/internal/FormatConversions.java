package org.scriptbox.engine.internal;

import java.util.Locale;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Two conversions of Luaj 3.0.1's {@code string.format} that differ from Lua's, done here before Luaj
 * formats the rest:
 * <ul>
 * <li>{@code %f}, {@code %e}, {@code %E} ignore their precision in Luaj ({@code ("%.1f"):format(10.0212)}
 * gives {@code 10.0212}): a number argument is formatted the C way (Java's Formatter agrees with C for
 * these three) and handed to Luaj as a {@code %s} of the finished text. {@code %g} stays Luaj's: Java's
 * {@code %g} differs from C's.</li>
 * <li>{@code %s} refuses anything but strings and numbers in Luaj; Lua converts any value as
 * {@code tostring} does (its {@code __tostring} metamethod, which runs under the budget like any Lua
 * code, or {@code table: 0x...}, {@code nil}, {@code true}).</li>
 * </ul>
 * Everything else, including bad arguments (Luaj's own error messages), is left to Luaj.
 */
final class FormatConversions {
    private static final LuaValue TOSTRING = LuaValue.valueOf("__tostring");

    private FormatConversions() {
    }

    /** The format and arguments with every float conversion done; the same objects when there is none. */
    static Varargs apply(Varargs args) {
        LuaString fmt = args.checkstring(1);
        String format = fmt.tojstring();
        if (format.indexOf('f') < 0 && format.indexOf('e') < 0 && format.indexOf('E') < 0
                && format.indexOf('s') < 0) {
            return args;
        }
        StringBuilder rewritten = new StringBuilder(format.length());
        LuaValue[] values = new LuaValue[args.narg()];
        boolean changed = false;
        int arg = 2;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            rewritten.append(c);
            if (c != '%') {
                continue;
            }
            if (i + 1 < format.length() && format.charAt(i + 1) == '%') {
                rewritten.append('%');
                i++;
                continue;
            }
            int end = specEnd(format, i + 1);
            if (end < 0) {
                return args; // malformed: Luaj reports it
            }
            char conversion = format.charAt(end);
            LuaValue value = args.arg(arg);
            if ((conversion == 'f' || conversion == 'e' || conversion == 'E') && value.isnumber()) {
                String spec = format.substring(i, end + 1);
                values[arg - 1] = LuaValue.valueOf(String.format(Locale.ROOT, spec, value.todouble()));
                rewritten.append('s');
                changed = true;
            } else if (conversion == 's' && !value.isstring() && arg <= args.narg()) {
                values[arg - 1] = tostring(value);
                rewritten.append(format, i + 1, end + 1);
                changed = true;
            } else {
                rewritten.append(format, i + 1, end + 1);
            }
            i = end;
            arg++;
        }
        if (!changed) {
            return args;
        }
        values[0] = LuaValue.valueOf(rewritten.toString());
        for (int k = 1; k < values.length; k++) {
            if (values[k] == null) {
                values[k] = args.arg(k + 1);
            }
        }
        return LuaValue.varargsOf(values);
    }

    /** What Lua's {@code tostring} gives for {@code value} (also the sandbox's {@code tostring}). */
    static LuaValue tostring(LuaValue value) {
        LuaValue handler = value.metatag(TOSTRING);
        if (!handler.isnil()) {
            LuaValue s = handler.call(value);
            if (!s.isstring()) {
                throw new LuaError("'__tostring' must return a string");
            }
            return s;
        }
        return LuaValue.valueOf(value.tojstring());
    }

    /** Index of the conversion character of the spec starting after '%', or -1 if it is malformed. */
    private static int specEnd(String format, int from) {
        int i = from;
        while (i < format.length() && "-+ #0".indexOf(format.charAt(i)) >= 0) {
            i++;
        }
        i = digits(format, i);
        if (i < format.length() && format.charAt(i) == '.') {
            i = digits(format, i + 1);
        }
        return i < format.length() ? i : -1;
    }

    private static int digits(String format, int from) {
        int i = from;
        while (i < format.length() && Character.isDigit(format.charAt(i)) && i - from < 2) {
            i++;
        }
        return i;
    }
}
