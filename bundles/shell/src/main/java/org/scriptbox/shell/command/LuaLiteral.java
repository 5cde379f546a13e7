package org.scriptbox.shell.command;

import java.util.regex.Pattern;

/**
 * A bare shell word read as Lua 5.4 reads a literal ({@code tonumber}, lobject.c {@code l_str2int} /
 * {@code l_str2d}): {@code nil}, {@code true}, {@code false}, decimal and hexadecimal integers (hexadecimal ones
 * wrap around, a decimal one too big for 64 bits becomes a float), decimal floats with an exponent and
 * hexadecimal floats ({@code 0x1p4}). Everything else stays a string: {@code NaN}, {@code Infinity}, {@code 1d},
 * {@code 2f}, {@code 0x}, {@code 1e} (Java's number parsing took some of those).
 */
public final class LuaLiteral {
    private static final Pattern DECIMAL_INTEGER = Pattern.compile("[0-9]+");
    private static final Pattern DECIMAL_FLOAT = Pattern.compile("([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Pattern HEX_INTEGER = Pattern.compile("[0-9a-fA-F]+");
    private static final Pattern HEX_FLOAT = Pattern.compile("([0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)([pP][+-]?[0-9]+)?");

    private LuaLiteral() {
    }

    /** nil (Java null), a Boolean, a Long, a Double, or the word itself. */
    public static Object read(String word) {
        switch (word) {
            case "nil":
                return null;
            case "true":
                return Boolean.TRUE;
            case "false":
                return Boolean.FALSE;
            default:
                Number n = number(word);
                return n == null ? word : n;
        }
    }

    /** The number the word is in Lua, or null. */
    public static Number number(String word) {
        if (word.isEmpty()) {
            return null;
        }
        boolean negative = word.charAt(0) == '-';
        String body = negative || word.charAt(0) == '+' ? word.substring(1) : word;
        if (body.length() > 2 && body.charAt(0) == '0' && (body.charAt(1) == 'x' || body.charAt(1) == 'X')) {
            String digits = body.substring(2);
            if (HEX_INTEGER.matcher(digits).matches()) {
                long v = 0;
                for (int i = 0; i < digits.length(); i++) {
                    v = v * 16 + Character.digit(digits.charAt(i), 16);   // wraps around, as Lua's does
                }
                return negative ? -v : v;
            }
            if (HEX_FLOAT.matcher(digits).matches()) {
                String p = digits.indexOf('p') >= 0 || digits.indexOf('P') >= 0 ? "" : "p0";
                double v = Double.parseDouble("0x" + (digits.startsWith(".") ? "0" : "") + digits + p);
                return negative ? -v : v;
            }
            return null;
        }
        if (DECIMAL_INTEGER.matcher(body).matches()) {
            try {
                return Long.parseLong(negative ? "-" + body : body);
            } catch (NumberFormatException tooBig) {
                return Double.parseDouble(word);
            }
        }
        if (DECIMAL_FLOAT.matcher(body).matches()) {
            return Double.parseDouble(word);
        }
        return null;
    }
}
