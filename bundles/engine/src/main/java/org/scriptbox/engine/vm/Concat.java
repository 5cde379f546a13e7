package org.scriptbox.engine.vm;

import java.util.Arrays;

import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/**
 * {@code R(A) := R(B) .. ... .. R(C)} for the interpreter and compiled code alike, joined the way Lua's
 * {@code luaV_concat} does it, with each number written as Lua writes it ({@link NumberText}; Luaj's own
 * {@code concat} wrote {@code 1e100} as {@code Infinity}).
 * <ul>
 * <li>Only strings and numbers (the common case): every operand's text is made first, the exact length checked
 * and charged by the meter ({@link Meter#concatTexts}), and the result copied once into one array.</li>
 * <li>With an operand that is neither: from the right, two operands of which one is not a string or number go to
 * the {@code __concat} metamethod as they are (a number stays a number there); a run of strings and numbers is
 * joined at once. The meter checked the whole expression before ({@link Meter#concat}) and checks each join of a
 * metamethod's result ({@link Meter#concatResult}).</li>
 * </ul>
 */
public final class Concat {
    private Concat() {
    }

    public static LuaValue join(Meter m, LuaValue[] r, int b, int c) {
        long length = 0;
        int numbers = 0;
        int doubles = 0;
        for (int i = b; i <= c; i++) {
            LuaValue v = r[i];
            if (v instanceof LuaString) {
                length += ((LuaString) v).m_length;
            } else if (v instanceof LuaInteger) {
                length += NumberText.length(((LuaInteger) v).v);
                numbers++;
            } else if (v.type() == LuaValue.TNUMBER) {
                numbers++;
                doubles += NumberText.weight(v.todouble()); // an expensive text weighs more
            } else {
                return withMetamethods(m, r, b, c);
            }
        }
        byte[][] texts = null;
        if (doubles > 0) {
            texts = new byte[c - b + 1][];
            for (int i = b; i <= c; i++) {
                LuaValue v = r[i];
                if (!(v instanceof LuaString) && !(v instanceof LuaInteger)) {
                    texts[i - b] = NumberText.bytes(v.todouble());
                    length += texts[i - b].length;
                }
            }
        }
        m.concatTexts(length, numbers, doubles);
        return LuaString.valueUsing(joined(r, b, c, texts, (int) length));
    }

    private static byte[] joined(LuaValue[] r, int b, int c, byte[][] texts, int length) {
        byte[] out = new byte[length];
        int at = 0;
        for (int i = b; i <= c; i++) {
            LuaValue v = r[i];
            if (v instanceof LuaString) {
                LuaString s = (LuaString) v;
                System.arraycopy(s.m_bytes, s.m_offset, out, at, s.m_length);
                at += s.m_length;
            } else if (v instanceof LuaInteger) {
                int n = ((LuaInteger) v).v;
                int digits = NumberText.length(n);
                NumberText.write(n, digits, out, at);
                at += digits;
            } else {
                byte[] t = texts[i - b];
                System.arraycopy(t, 0, out, at, t.length);
                at += t.length;
            }
        }
        return out;
    }

    private static LuaValue withMetamethods(Meter m, LuaValue[] r, int b, int c) {
        m.concat(r, b, c);
        LuaValue[] s = Arrays.copyOfRange(r, b, c + 1);
        int top = s.length - 1;
        while (top > 0) {
            if (!joinable(s[top - 1]) || !joinable(s[top])) {
                s[top - 1] = s[top - 1].concat(s[top]); // Luaj: the metamethod of either, or the error
                top--;
            } else {
                int from = top - 1;
                while (from > 0 && joinable(s[from - 1])) {
                    from--;
                }
                long length = 0;
                for (int i = from; i <= top; i++) {
                    s[i] = NumberText.of(s[i]);
                    length += ((LuaString) s[i]).m_length;
                }
                s[from] = LuaString.valueUsing(joined(s, from, top, null, (int) length));
                top = from;
            }
            m.concatResult(s[top]);
        }
        return s[0];
    }

    private static boolean joinable(LuaValue v) {
        int type = v.type();
        return type == LuaValue.TSTRING || type == LuaValue.TNUMBER;
    }
}
