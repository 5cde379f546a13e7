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

    /** Instructions per character of a float conversion's text. */
    static final int FLOAT_COST_PER_CHAR = 6;

    private FormatConversions() {
    }

    /** The format and arguments with every float conversion done; the same objects when there is none. */
    static Varargs apply(Varargs args) {
        LuaString fmt = args.checkstring(1);
        if (!rewrites(fmt, args)) {
            return args; // the common case ("%d:%s" of a number and a string), decided on the bytes
        }
        String format = fmt.tojstring();
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
                String converted = String.format(Locale.ROOT, spec, value.todouble());
                // Java's conversion of a large float with a long precision ('%99.99f' of 1e308: ~410
                // digits) costs ~20 us, ~20x its flat charge (red-team): charged per digit it made too.
                SafeStrings.budget().charge((long) converted.length() * FLOAT_COST_PER_CHAR);
                values[arg - 1] = LuaValue.valueOf(converted);
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

    /**
     * Whether {@link #apply} would change anything: a {@code %f}/{@code %e}/{@code %E} of a number or a {@code %s} of
     * something that is not a string or number (or a malformed spec, which {@link #apply} leaves to Luaj). A scan of
     * the format's bytes, without making a Java string of it.
     */
    private static boolean rewrites(LuaString fmt, Varargs args) {
        byte[] b = fmt.m_bytes;
        int end = fmt.m_offset + fmt.m_length;
        int arg = 2;
        for (int i = fmt.m_offset; i < end; i++) {
            if (b[i] != '%') {
                continue;
            }
            i++;
            if (i < end && b[i] == '%') {
                continue;
            }
            while (i < end && (b[i] == '-' || b[i] == '+' || b[i] == ' ' || b[i] == '#' || b[i] == '0' || b[i] >= '1' && b[i] <= '9'
                    || b[i] == '.')) {
                i++;
            }
            if (i >= end) {
                return true; // malformed: let apply decide (it returns args)
            }
            byte c = b[i];
            LuaValue value = args.arg(arg++);
            if ((c == 'f' || c == 'e' || c == 'E') && value.isnumber() || c == 's' && !value.isstring()) {
                return true;
            }
        }
        return false;
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
