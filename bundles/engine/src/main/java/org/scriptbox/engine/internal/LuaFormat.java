package org.scriptbox.engine.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.scriptbox.api.text.LuaNumbers;
import org.scriptbox.engine.errors.ArgumentError;
import org.scriptbox.engine.vm.NumberText;

/**
 * {@code string.format}, the engine's own (session 7; Luaj's ignored {@code %s} widths and precisions, cut a string at
 * its first zero byte, wrote {@code %g} as Java's {@code Double.toString}, rounded {@code %.2f} of 2.675 up, refused
 * {@code %d} of 2^40 and had no {@code %a}). It follows Lua 5.4's {@code str_format} and C's printf:
 * <ul>
 * <li>conversions {@code c d i u o x X a A e E f F g G q s} and {@code %%}, each with the flags, width (at most two
 * digits) and precision (at most two digits) Lua 5.4 allows it, else Lua's "invalid conversion" errors;</li>
 * <li>floats from their exact binary value, rounded half to even as glibc does; {@code inf}, {@code -inf},
 * {@code nan} (never {@code -nan}: the JVM does not keep NaN's sign);</li>
 * <li>integer conversions of an integral number within the 64-bit range; a fraction within the 32-bit range is
 * truncated (the engine's Lua 5.2 rule for every integer argument), beyond it an error;</li>
 * <li>{@code %s} as {@code tostring} (its {@code __tostring} runs under the budget); {@code %q} as Lua 5.4 (a float
 * as a hexadecimal literal that reads back as the same number).</li>
 * </ul>
 * The result is held to the string-length limit while it is built, and each float's text is charged per character.
 */
final class LuaFormat {
    private static final String NAME = "string.format";

    private LuaFormat() {
    }

    static LuaString format(Varargs args, Budget budget) {
        LuaString fmt = args.checkstring(1);
        byte[] f = fmt.m_bytes;
        int end = fmt.m_offset + fmt.m_length;
        Out out = new Out(fmt.m_length + 8 * Math.max(1, args.narg() - 1), budget);
        int arg = 1;
        for (int i = fmt.m_offset; i < end; i++) {
            byte c = f[i];
            if (c != '%') {
                out.add(c);
                continue;
            }
            if (++i < end && f[i] == '%') {
                out.add((byte) '%');
                continue;
            }
            int specStart = i;
            while (i < end && "-+ #0123456789.".indexOf(f[i]) >= 0) {
                i++;
            }
            if (i - specStart + 1 >= 22) {
                throw new LuaError("invalid format string to 'format'");
            }
            char conversion = i < end ? (char) (f[i] & 0xff) : '\0';
            String spec = i == specStart ? "" : new String(f, specStart, i - specStart, java.nio.charset.StandardCharsets.ISO_8859_1);
            Spec s;
            switch (conversion) {
                case 'c':
                    s = Spec.of(spec, conversion, "-", false);
                    out.pad(s, new byte[] {(byte) smallInteger(args, ++arg)}, 0, 1);
                    break;
                case 'd': case 'i':
                    if (spec.isEmpty()) {
                        out.add(Long.toString(integer(args, ++arg))); // the common "%d": no flags to apply
                        break;
                    }
                    s = Spec.of(spec, conversion, "-+ 0", true);
                    integer(out, s, integer(args, ++arg));
                    break;
                case 'u':
                    s = Spec.of(spec, conversion, "-0", true);
                    integer(out, s, integer(args, ++arg));
                    break;
                case 'o': case 'x': case 'X':
                    s = Spec.of(spec, conversion, "-#0", true);
                    integer(out, s, integer(args, ++arg));
                    break;
                case 'a': case 'A': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
                    s = Spec.of(spec, conversion, "-+ #0", true);
                    int before = out.length;
                    real(out, s, number(args, ++arg));
                    budget.charge((long) (out.length - before) * FormatConversions.FLOAT_COST_PER_CHAR);
                    break;
                case 'q':
                    if (!spec.isEmpty()) {
                        throw new LuaError("specifier '%q' cannot have modifiers");
                    }
                    quoted(out, args.arg(++arg));
                    break;
                case 'p': {
                    // Lua 5.4: the value's identity as tostring shows it; numbers, booleans and nil are "(null)"
                    s = Spec.of(spec, conversion, "-", false);
                    if (++arg > args.narg()) {
                        throw new ArgumentError(NAME, arg, "no value");
                    }
                    byte[] text = pointer(args.arg(arg));
                    out.pad(s, text, 0, text.length);
                    break;
                }
                case 's': {
                    LuaValue v = FormatConversions.tostring(args.arg(++arg));
                    LuaString text = v.checkstring();
                    if (spec.isEmpty()) {
                        out.add(text);
                        break;
                    }
                    if (text.indexOf((byte) 0, 0) >= 0) {
                        throw new ArgumentError(NAME, arg, "string contains zeros");
                    }
                    s = Spec.of(spec, conversion, "-", true);
                    if (s.precision < 0 && text.m_length >= 100) {
                        out.add(text); // no precision and too long to pad: the whole string, as Lua
                    } else {
                        int n = s.precision < 0 ? text.m_length : Math.min(s.precision, text.m_length);
                        out.pad(s, text.m_bytes, text.m_offset, n);
                    }
                    break;
                }
                default:
                    throw new LuaError("invalid conversion '%" + spec + (conversion == '\0' ? "" : String.valueOf(conversion))
                            + "' to 'format'");
            }
        }
        return out.string();
    }

    /** A conversion's flags, width and precision, checked as Lua 5.4's {@code checkformat} checks them. */
    private static final class Spec {
        final char conversion;
        final boolean left;
        final boolean plus;
        final boolean space;
        final boolean alternate;
        final boolean zero;
        final int width;
        final int precision;

        private Spec(char conversion, String flags, int width, int precision) {
            this.conversion = conversion;
            this.left = flags.indexOf('-') >= 0;
            this.plus = flags.indexOf('+') >= 0;
            this.space = flags.indexOf(' ') >= 0;
            this.alternate = flags.indexOf('#') >= 0;
            this.zero = flags.indexOf('0') >= 0;
            this.width = width;
            this.precision = precision;
        }

        static Spec of(String spec, char conversion, String allowed, boolean precisionAllowed) {
            int i = 0;
            while (i < spec.length() && allowed.indexOf(spec.charAt(i)) >= 0) {
                i++;
            }
            String flags = spec.substring(0, i);
            int width = 0;
            int precision = -1;
            if (i >= spec.length() || spec.charAt(i) != '0') {
                int w = digits(spec, i);
                width = w == i ? 0 : Integer.parseInt(spec.substring(i, w));
                i = w;
                if (i < spec.length() && spec.charAt(i) == '.' && precisionAllowed) {
                    int p = digits(spec, i + 1);
                    precision = p == i + 1 ? 0 : Integer.parseInt(spec.substring(i + 1, p));
                    i = p;
                }
            }
            if (i != spec.length()) {
                throw new LuaError("invalid conversion specification: '%" + spec + conversion + "'");
            }
            return new Spec(conversion, flags, width, precision);
        }

        private static int digits(String spec, int from) {
            int i = from;
            while (i < spec.length() && i - from < 2 && spec.charAt(i) >= '0' && spec.charAt(i) <= '9') {
                i++;
            }
            return i;
        }

        boolean upper() {
            return Character.isUpperCase(conversion);
        }
    }

    // ---- arguments -------------------------------------------------------------------------------------

    /**
     * {@code %p}'s text: {@code 0x} and the hexadecimal identity that {@code tostring} shows for a table, function,
     * thread or userdata (so {@code ('%p'):format(t)} is the address in {@code tostring(t)}, as in Lua 5.4); a string's
     * content hash (equal strings give the same text, as Lua's interned short strings do); {@code (null)} for the rest.
     */
    private static byte[] pointer(LuaValue v) {
        int type = v.type();
        if (type == LuaValue.TNIL || type == LuaValue.TBOOLEAN || type == LuaValue.TNUMBER || type == LuaValue.TLIGHTUSERDATA) {
            return "(null)".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        return ("0x" + Integer.toHexString(v.hashCode())).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static double number(Varargs args, int arg) {
        LuaValue v = args.arg(arg);
        LuaValue n = v.type() == LuaValue.TNUMBER ? v : v.tonumber();
        if (n.isnil()) {
            throw new ArgumentError(NAME, arg, "number expected, got " + (arg > args.narg() ? "no value" : v.typename()));
        }
        return n.todouble();
    }

    /**
     * An integer conversion's argument: an integral number within the 64-bit range, or (the engine's Lua 5.2 rule, as
     * for every integer argument) a fraction within the 32-bit range, truncated.
     */
    private static long integer(Varargs args, int arg) {
        LuaValue v = args.arg(arg);
        if (v instanceof LuaInteger) {
            return ((LuaInteger) v).v;
        }
        double d = number(args, arg);
        if (d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
            return (long) d;
        }
        if (d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63) {
            return (long) d;
        }
        throw new ArgumentError(NAME, arg, "number has no integer representation");
    }

    /** {@code %c}'s argument: within the 32-bit range, as every other integer argument of the library. */
    private static int smallInteger(Varargs args, int arg) {
        double d = number(args, arg);
        if (d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
            return (int) d;
        }
        throw new ArgumentError(NAME, arg, "number has no integer representation");
    }

    // ---- conversions -----------------------------------------------------------------------------------

    private static void integer(Out out, Spec s, long n) {
        boolean negative = false;
        String digits;
        switch (s.conversion) {
            case 'd': case 'i':
                negative = n < 0;
                digits = Long.toUnsignedString(negative ? -n : n);
                break;
            case 'u':
                digits = Long.toUnsignedString(n);
                break;
            case 'o':
                digits = Long.toOctalString(n);
                break;
            default:
                digits = Long.toHexString(n);
                if (s.conversion == 'X') {
                    digits = digits.toUpperCase(java.util.Locale.ROOT);
                }
        }
        if (s.precision == 0 && n == 0) {
            digits = "";
        }
        StringBuilder body = new StringBuilder();
        for (int k = digits.length(); k < s.precision; k++) {
            body.append('0');
        }
        body.append(digits);
        if (s.alternate && s.conversion == 'o' && (body.length() == 0 || body.charAt(0) != '0')) {
            body.insert(0, '0');
        }
        String prefix = negative ? "-" : s.plus && isSigned(s) ? "+" : s.space && isSigned(s) ? " " : "";
        if (s.alternate && n != 0 && (s.conversion == 'x' || s.conversion == 'X')) {
            prefix += s.conversion == 'x' ? "0x" : "0X";
        }
        out.number(s, prefix, body.toString(), s.precision < 0);
    }

    private static boolean isSigned(Spec s) {
        return s.conversion == 'd' || s.conversion == 'i';
    }

    private static void real(Out out, Spec s, double d) {
        boolean negative = d < 0 || d == 0 && 1 / d < 0;
        String prefix = negative ? "-" : s.plus ? "+" : s.space ? " " : "";
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            String word = Double.isNaN(d) ? "nan" : "inf";
            out.number(s, Double.isNaN(d) ? (s.plus ? "+" : s.space ? " " : "") : prefix,
                    s.upper() ? word.toUpperCase(java.util.Locale.ROOT) : word, false);
            return;
        }
        double x = Math.abs(d);
        String body;
        switch (Character.toLowerCase(s.conversion)) {
            case 'f':
                body = fixed(x, s.precision < 0 ? 6 : s.precision, s.alternate);
                break;
            case 'e':
                body = exponential(x, s.precision < 0 ? 6 : s.precision, s.alternate);
                break;
            case 'g':
                body = general(x, s.precision < 0 ? 6 : Math.max(1, s.precision), s.alternate);
                break;
            default:
                prefix += s.upper() ? "0X" : "0x";
                body = hexadecimal(x, s.precision, s.alternate);
        }
        out.number(s, prefix, s.upper() ? body.toUpperCase(java.util.Locale.ROOT) : body, true);
    }

    /** The p digits of x (p <= 17) as text, and their exponent in {@code exponent[0]}. */
    private static String digitText(double x, int p, int[] exponent) {
        String t = Long.toString(LuaNumbers.significantDigits(x, p, exponent));
        return t; // exactly p digits: the first is never 0
    }

    private static String fixed(double x, int precision, boolean point) {
        String t = null;
        if (x == 0) {
            t = precision == 0 ? "0" : "0." + "0".repeat(precision);
        } else {
            int estimate = (int) Math.floor(Math.log10(x));
            if (estimate <= -precision - 2) {
                t = precision == 0 ? "0" : "0." + "0".repeat(precision); // below a tenth of the last digit: zero
            } else {
                int[] exponent = new int[1];
                for (int attempt = 0; attempt < 2 && t == null; attempt++) {
                    int p = estimate + 1 + precision;
                    if (p < 1 || p > 17) {
                        break;
                    }
                    String d = digitText(x, p, exponent);
                    if (exponent[0] + 1 + precision != d.length()) {
                        estimate = exponent[0]; // the estimate was off, or the rounding carried: once more
                        continue;
                    }
                    int whole = exponent[0] + 1; // digits before the point
                    t = whole <= 0 ? "0." + "0".repeat(-whole) + d
                            : precision == 0 ? d : d.substring(0, whole) + "." + d.substring(whole);
                }
                if (t == null) {
                    t = new BigDecimal(x).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
                }
            }
        }
        return precision == 0 && point ? t + "." : t;
    }

    private static String exponential(double x, int precision, boolean point) {
        int exponent = 0;
        String mantissa;
        if (x == 0) {
            mantissa = new BigDecimal(0).setScale(precision).toPlainString();
        } else if (precision + 1 <= 17) {
            int[] e = new int[1];
            String d = digitText(x, precision + 1, e);
            exponent = e[0];
            mantissa = precision == 0 ? d : d.charAt(0) + "." + d.substring(1);
        } else {
            BigDecimal rounded = new BigDecimal(x).round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
            exponent = rounded.precision() - rounded.scale() - 1;
            mantissa = rounded.movePointLeft(exponent).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
        }
        if (precision == 0 && point) {
            mantissa += ".";
        }
        int e = Math.abs(exponent);
        return mantissa + (exponent < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + e;
    }

    private static String general(double x, int precision, boolean keepZeros) {
        int exponent = 0;
        if (x != 0) {
            if (precision <= 17) {
                int[] e = new int[1];
                LuaNumbers.significantDigits(x, precision, e);
                exponent = e[0];
            } else {
                BigDecimal rounded = new BigDecimal(x).round(new MathContext(precision, RoundingMode.HALF_EVEN));
                exponent = rounded.precision() - rounded.scale() - 1;
            }
        }
        String t = precision > exponent && exponent >= -4 ? fixed(x, precision - 1 - exponent, keepZeros)
                : exponential(x, precision - 1, keepZeros);
        if (keepZeros) {
            return t;
        }
        int e = t.indexOf('e');
        String mantissa = e < 0 ? t : t.substring(0, e);
        if (mantissa.indexOf('.') >= 0) {
            int k = mantissa.length();
            while (mantissa.charAt(k - 1) == '0') {
                k--;
            }
            if (mantissa.charAt(k - 1) == '.') {
                k--;
            }
            mantissa = mantissa.substring(0, k);
        }
        return e < 0 ? mantissa : mantissa + t.substring(e);
    }

    /** C's {@code %a} without the {@code 0x}: {@code 1.8p+1}; {@code precision} hex digits (rounded half to even), or as many as needed. */
    static String hexadecimal(double x, int precision, boolean point) {
        if (x == 0) {
            return "0" + (precision > 0 ? "." + "0".repeat(precision) : point ? "." : "") + "p+0";
        }
        long bits = Double.doubleToRawLongBits(x);
        int biased = (int) (bits >>> 52) & 0x7ff;
        long fraction = bits & ((1L << 52) - 1);
        long lead = biased == 0 ? 0 : 1;
        int exponent = biased == 0 ? -1022 : biased - 1023;
        if (precision >= 0 && precision < 13) {
            int drop = 4 * (13 - precision);
            long kept = fraction >>> drop;
            long rest = fraction & ((1L << drop) - 1);
            long half = 1L << (drop - 1);
            long last = precision == 0 ? lead : kept; // the last digit kept decides a tie (to even)
            if (rest > half || rest == half && (last & 1) != 0) {
                kept++;
                if (kept >>> (4 * precision) != 0) { // the fraction carried into the leading digit
                    kept &= (1L << (4 * precision)) - 1;
                    lead++;
                }
            }
            fraction = kept;
        }
        String digits;
        if (precision < 0) {
            digits = fraction == 0 ? "" : hex(fraction, 13).replaceFirst("0+$", "");
        } else if (precision > 13) {
            digits = hex(fraction, 13) + "0".repeat(precision - 13);
        } else {
            digits = precision == 0 ? "" : hex(fraction, precision);
        }
        return lead + (digits.isEmpty() ? point ? "." : "" : "." + digits) + "p" + (exponent < 0 ? "-" : "+") + Math.abs(exponent);
    }

    /** {@code v}'s low {@code n} hex digits, with leading zeros (java.util.Formatter's "%013x" cost microseconds). */
    private static String hex(long v, int n) {
        char[] c = new char[n];
        for (int k = n - 1; k >= 0; k--) {
            c[k] = Character.forDigit((int) (v & 15), 16);
            v >>>= 4;
        }
        return new String(c);
    }

    /** Lua 5.4's {@code %q}: a literal that reads back as the same value. */
    private static void quoted(Out out, LuaValue v) {
        switch (v.type()) {
            case LuaValue.TSTRING: {
                LuaString s = v.checkstring();
                out.add((byte) '"');
                for (int k = 0; k < s.m_length; k++) {
                    int c = s.m_bytes[s.m_offset + k] & 0xff;
                    if (c == '"' || c == '\\' || c == '\n') {
                        out.add((byte) '\\');
                        out.add((byte) c);
                    } else if (c < 32 || c == 127) {
                        boolean digitNext = k + 1 < s.m_length && Character.isDigit(s.m_bytes[s.m_offset + k + 1]);
                        out.add((byte) '\\');
                        if (digitNext || c >= 100) {
                            out.add((byte) ('0' + c / 100));
                        }
                        if (digitNext || c >= 10) {
                            out.add((byte) ('0' + c / 10 % 10));
                        }
                        out.add((byte) ('0' + c % 10));
                    } else {
                        out.add((byte) c);
                    }
                }
                out.add((byte) '"');
                return;
            }
            case LuaValue.TNUMBER: {
                double d = v.todouble();
                if (v instanceof LuaInteger || d == Math.rint(d) && Math.abs(d) <= 0x1p53) {
                    out.add(NumberText.string(v));
                } else if (Double.isNaN(d)) {
                    out.add("(0/0)");
                } else if (Double.isInfinite(d)) {
                    out.add(d > 0 ? "1e9999" : "-1e9999");
                } else {
                    out.add((d < 0 ? "-0x" : "0x") + hexadecimal(Math.abs(d), -1, false));
                }
                return;
            }
            case LuaValue.TNIL: case LuaValue.TBOOLEAN:
                out.add(v.tojstring());
                return;
            default:
                throw new LuaError("bad argument to 'format' (value has no literal form)");
        }
    }

    /** The result being built, held to the string-length limit as it grows. */
    private static final class Out {
        private byte[] bytes;
        int length;
        private final Budget budget;

        Out(int capacity, Budget budget) {
            this.bytes = new byte[Math.max(16, capacity)];
            this.budget = budget;
        }

        private void room(int n) {
            long needed = (long) length + n;
            if (needed > budget.stringLimit()) {
                budget.checkStringLength(needed);
            }
            if (needed > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, (int) Math.max(needed, Math.min(2L * bytes.length, Integer.MAX_VALUE - 16)));
            }
        }

        void add(byte b) {
            room(1);
            bytes[length++] = b;
        }

        void add(LuaString s) {
            room(s.m_length);
            System.arraycopy(s.m_bytes, s.m_offset, bytes, length, s.m_length);
            length += s.m_length;
        }

        void add(String ascii) {
            room(ascii.length());
            for (int k = 0; k < ascii.length(); k++) {
                bytes[length++] = (byte) ascii.charAt(k);
            }
        }

        /** {@code text[from, from + n)} in {@code s.width} characters, spaces left or (flag '-') right. */
        void pad(Spec s, byte[] text, int from, int n) {
            int fill = Math.max(0, s.width - n);
            room(n + fill);
            if (!s.left) {
                spaces(fill);
            }
            System.arraycopy(text, from, bytes, length, n);
            length += n;
            if (s.left) {
                spaces(fill);
            }
        }

        private void spaces(int n) {
            for (int k = 0; k < n; k++) {
                bytes[length++] = ' ';
            }
        }

        /** A number's sign or prefix and digits in the width: zeros after the prefix when '0' may pad it. */
        void number(Spec s, String prefix, String body, boolean zeroPads) {
            int fill = Math.max(0, s.width - prefix.length() - body.length());
            if (s.left) {
                add(prefix);
                add(body);
                room(fill);
                spaces(fill);
            } else if (s.zero && zeroPads) {
                add(prefix);
                room(fill);
                for (int k = 0; k < fill; k++) {
                    bytes[length++] = '0';
                }
                add(body);
            } else {
                room(fill);
                spaces(fill);
                add(prefix);
                add(body);
            }
        }

        LuaString string() {
            return LuaString.valueUsing(length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length));
        }
    }
}
