package org.scriptbox.engine.internal;

/**
 * A minimal Lua 5.2 tokenizer that only finds where tokens start and end (byte offsets), to give
 * compile errors a column. It skips whitespace and comments and knows strings, long brackets,
 * numbers, names and operators; it never fails, whatever the input.
 */
final class LuaTokens {
    private LuaTokens() {
    }

    /** A token's byte range {@code [start, end)}. */
    static final class Token {
        final int start;
        final int end;

        Token(int start, int end) {
            this.start = start;
            this.end = end;
        }
    }

    /** The last token that starts before {@code limit}, or {@code null}. */
    static Token lastStartingBefore(byte[] s, int limit) {
        return scan(s, limit, -1);
    }

    /**
     * The first token outside strings and comments that starts with the byte {@code b} (a raw NUL,
     * which Luaj's lexer skips as if it were a space), or {@code null}.
     */
    static Token firstStartingWith(byte[] s, int b) {
        Token t = scan(s, s.length, b);
        return t != null && (s[t.start] & 0xff) == b ? t : null;
    }

    /**
     * The first numeral that Lua 5.2's lexer would call a malformed number, or {@code null}: a numeral is read as
     * {@code read_numeral} reads it (hexadecimal digits and {@code .}, an exponent mark with its sign) and must be a
     * number as Lua reads text ({@code NumberText.parse}). Luaj's lexer failed in Java on {@code 1e}, {@code 1..2},
     * {@code 3.4.5} ("internal compiler error", a line off) and took {@code 0x}, {@code 0x1p}, {@code 0x.p1} for numbers
     * (red team E24).
     */
    static Token firstMalformedNumber(byte[] s) {
        int i = 0;
        int n = s.length;
        while (i < n) {
            int c = s[i] & 0xff;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0x0b) {
                i++;
            } else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
                int level = i + 2 < n ? longBracketLevel(s, i + 2) : -1;
                i = level >= 0 ? skipLongBracket(s, i + 2, level) : skipLine(s, i + 2);
            } else if (c == '"' || c == '\'') {
                i = skipQuoted(s, i);
            } else if (c == '[' && longBracketLevel(s, i) >= 0) {
                i = skipLongBracket(s, i, longBracketLevel(s, i));
            } else if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(s[i + 1] & 0xff))) {
                int end = numeral(s, i);
                if (Double.isNaN(org.scriptbox.engine.vm.NumberText.parse(s, i, end - i))) {
                    return new Token(i, end);
                }
                i = end;
            } else if (isNameStart(c)) {
                while (i < n && (isNameStart(s[i] & 0xff) || isDigit(s[i] & 0xff))) {
                    i++;
                }
            } else {
                i += operatorLength(s, i);
            }
        }
        return null;
    }

    /** The end of the numeral at {@code i} as Lua 5.2's {@code read_numeral} reads it. */
    private static int numeral(byte[] s, int i) {
        int n = s.length;
        boolean hex = s[i] == '0' && i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X');
        int j = hex ? i + 2 : i + 1;
        while (j < n) {
            int c = s[j] & 0xff;
            if (hex ? (c == 'p' || c == 'P') : (c == 'e' || c == 'E')) {
                j++;
                if (j < n && (s[j] == '+' || s[j] == '-')) {
                    j++;
                }
            } else if (isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.') {
                j++;
            } else {
                break;
            }
        }
        return j;
    }

    /** Tokens up to {@code limit}: the last one, or the first that starts with {@code stopAt}. */
    private static Token scan(byte[] s, int limit, int stopAt) {
        Token last = null;
        int i = 0;
        int n = s.length;
        while (i < n && i < limit) {
            int c = s[i] & 0xff;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0x0b) {
                i++;
                continue;
            }
            if (c == '-' && i + 1 < n && s[i + 1] == '-') {
                int level = i + 2 < n ? longBracketLevel(s, i + 2) : -1;
                i = level >= 0 ? skipLongBracket(s, i + 2, level) : skipLine(s, i + 2);
                continue;
            }
            int start = i;
            if (c == '"' || c == '\'') {
                i = skipQuoted(s, i);
            } else if (c == '[' && longBracketLevel(s, i) >= 0) {
                i = skipLongBracket(s, i, longBracketLevel(s, i));
            } else if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(s[i + 1] & 0xff))) {
                i = skipNumber(s, i);
            } else if (isNameStart(c)) {
                while (i < n && (isNameStart(s[i] & 0xff) || isDigit(s[i] & 0xff))) {
                    i++;
                }
            } else {
                i += operatorLength(s, i);
            }
            last = new Token(start, i);
            if (c == stopAt) {
                return last;
            }
        }
        return last;
    }

    private static int skipLine(byte[] s, int i) {
        while (i < s.length && s[i] != '\n') {
            i++;
        }
        return i;
    }

    /** Level of a long bracket opening at {@code i} ({@code [[} is 0, {@code [=[} 1), or -1. */
    private static int longBracketLevel(byte[] s, int i) {
        if (i >= s.length || s[i] != '[') {
            return -1;
        }
        int j = i + 1;
        int level = 0;
        while (j < s.length && s[j] == '=') {
            level++;
            j++;
        }
        return j < s.length && s[j] == '[' ? level : -1;
    }

    private static int skipLongBracket(byte[] s, int i, int level) {
        int j = i + level + 2;
        while (j < s.length) {
            if (s[j] == ']') {
                int k = j + 1;
                int eq = 0;
                while (k < s.length && s[k] == '=') {
                    eq++;
                    k++;
                }
                if (eq == level && k < s.length && s[k] == ']') {
                    return k + 1;
                }
            }
            j++;
        }
        return s.length;
    }

    private static int skipQuoted(byte[] s, int i) {
        byte quote = s[i];
        int j = i + 1;
        while (j < s.length && s[j] != quote && s[j] != '\n') {
            j += s[j] == '\\' ? 2 : 1;
        }
        return Math.min(s.length, j + 1);
    }

    private static int skipNumber(byte[] s, int i) {
        int j = i;
        boolean hex = s[j] == '0' && j + 1 < s.length && (s[j + 1] == 'x' || s[j + 1] == 'X');
        if (hex) {
            j += 2;
        }
        while (j < s.length) {
            int c = s[j] & 0xff;
            boolean exp = hex ? (c == 'p' || c == 'P') : (c == 'e' || c == 'E');
            if (exp && j + 1 < s.length && (s[j + 1] == '+' || s[j + 1] == '-')) {
                j += 2;
            } else if (isDigit(c) || c == '.' || isNameStart(c)) {
                j++;
            } else {
                break;
            }
        }
        return j;
    }

    private static int operatorLength(byte[] s, int i) {
        if (i + 2 < s.length && s[i] == '.' && s[i + 1] == '.' && s[i + 2] == '.') {
            return 3;
        }
        if (i + 1 < s.length) {
            String two = new String(new char[] {(char) s[i], (char) s[i + 1]});
            if (two.equals("..") || two.equals("==") || two.equals("~=") || two.equals("<=")
                    || two.equals(">=") || two.equals("::")) {
                return 2;
            }
        }
        // One byte, or one whole UTF-8 character.
        int c = s[i] & 0xff;
        int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        return Math.min(len, s.length - i);
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNameStart(int c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
