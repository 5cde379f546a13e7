package org.scriptbox.shell.command;

/**
 * One word of a command line as the operator typed it: its text after Gogo took the quotes off, and whether it
 * was quoted ({@code "007"} is the string 007, a bare {@code 007} the number 7).
 */
public record Word(String text, boolean quoted) {
    /** A value Gogo handed over (text, or a closure's or variable's result), before quotes are known. */
    public static Word of(Object value) {
        return new Word(value == null ? "nil" : value.toString(), false);
    }

    public Word asQuoted() {
        return new Word(text, true);
    }

    /** An option-like word: unquoted and starting with a dash ({@code -n}, {@code --lines=5}). */
    public boolean isOptionLike() {
        return !quoted && text.length() > 1 && text.charAt(0) == '-';
    }

    /** The word as a Lua value: a quoted word is always a string, a bare one a literal if it reads as one. */
    public Object luaValue() {
        return quoted ? text : LuaLiteral.read(text);
    }
}
