package org.scriptbox.engine.errors;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/**
 * An error a script raised with {@code error(value, level)} or {@code assert}: where its position comes
 * from is Lua's rule, not the innermost frame's. Level 1 is the function that called {@code error},
 * level 2 its caller and so on; level 0, or a value that is not a string, gets no position.
 */
public final class LeveledError extends LuaError {
    private static final long serialVersionUID = 1L;
    private final int level;
    /** Lua's text of a number raised (Luaj's constructor wrote Java's float text: 1e100 read Infinity). */
    private final String numberText;

    /**
     * A string raised: its bytes, which Java text cannot carry ({@code '\255ab'}); the message (Java text) is for
     * the host, the bytes for the script ({@link #string}).
     */
    private final LuaString string;

    private LeveledError(LuaString string, int level) {
        super(string.tojstring(), level);
        this.level = level;
        this.numberText = null;
        this.string = string;
    }

    private LeveledError(LuaValue object) {
        super(object);
        this.level = 0;
        this.numberText = object.type() == LuaValue.TNUMBER ? org.scriptbox.engine.vm.NumberText.string(object) : null;
        this.string = null;
    }

    /** The string raised, byte for byte, or null if the value raised is no string. */
    public LuaString string() {
        return string;
    }

    /** As Luaj's, with a number's text as Lua writes it (what a coroutine passes on, and an uncaught error shows). */
    @Override
    public String getMessage() {
        if (numberText == null || traceback != null) {
            return super.getMessage();
        }
        return fileline != null ? fileline + " " + numberText : numberText;
    }

    /** {@code error(value, level)}: only a string gets a position (as in Lua, a number does not). */
    public static LuaError of(LuaValue value, int level) {
        if (value.type() == LuaValue.TSTRING) {
            return new LeveledError(value.checkstring(), Math.max(0, level));
        }
        return new LeveledError(value);
    }

    /** 0 for no position, else which Lua frame (1 = the innermost) gives the position. */
    public int level() {
        return level;
    }
}
