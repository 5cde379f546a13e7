package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.scriptbox.engine.vm.NumberText;

/**
 * What Lua's {@code tostring} gives for a value (the sandbox's {@code tostring}, {@code print} and
 * {@code string.format('%s')}): its {@code __tostring} metamethod, which runs under the budget like any Lua code,
 * a number as Lua writes it ({@link NumberText}), or {@code table: 0x...}, {@code nil}, {@code true}.
 * ({@code string.format} itself is {@link LuaFormat} since session 7.)
 */
final class FormatConversions {
    private static final LuaValue TOSTRING = LuaValue.valueOf("__tostring");

    /** Instructions per character of a float conversion's text. */
    static final int FLOAT_COST_PER_CHAR = 6;

    private FormatConversions() {
    }

    /** A double's text beyond the ordinary fraction's cost (which the callers' base costs cover). */
    static void chargeText(double d) {
        int weight = NumberText.weight(d);
        if (weight > 1) {
            SafeStrings.budget().charge((weight - 1) * Budget.FLOAT_TEXT_COST);
        }
    }

    /** What Lua's {@code tostring} gives for {@code value} (also the sandbox's {@code tostring}). */
    static LuaValue tostring(LuaValue value) {
        LuaValue handler = value.metatag(TOSTRING);
        if (!handler.isnil()) {
            LuaValue s = handler.call(value);
            if (!s.isstring()) {
                throw new LuaError("'__tostring' must return a string");
            }
            return NumberText.of(s); // a number returned is written as one
        }
        int type = value.type();
        if (type == LuaValue.TNUMBER && !(value instanceof org.luaj.vm2.LuaInteger)) {
            chargeText(value.todouble());
        }
        // a string is itself (its bytes, not a round trip through Java's UTF-16)
        return type == LuaValue.TNUMBER || type == LuaValue.TSTRING ? NumberText.of(value) : LuaValue.valueOf(value.tojstring());
    }
}
