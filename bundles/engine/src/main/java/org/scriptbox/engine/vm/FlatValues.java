package org.scriptbox.engine.vm;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Many values passed on as {@code ...}, in one array: reading any of them is one array access, and so is every
 * part of them ({@link #subargs}). Luaj's lists keep the values a call puts before an open list in a list of their
 * own in front of it ({@code f(n, ...)}), so a list passed on through k calls was a chain of k parts, and reading
 * its last value walked them all (see {@link Meter#passed}).
 */
final class FlatValues extends Varargs {
    private final LuaValue[] values;
    private final int offset;
    private final int length;

    private FlatValues(LuaValue[] values, int offset, int length) {
        this.values = values;
        this.offset = offset;
        this.length = length;
    }

    /** {@code v} (of {@code n} values) as one array; {@code v} itself if it is one already. */
    static Varargs of(Varargs v, int n) {
        if (v instanceof FlatValues) {
            return v;
        }
        LuaValue[] a = new LuaValue[n];
        for (int i = 0; i < n; i++) {
            a[i] = v.arg(i + 1);
        }
        return new FlatValues(a, 0, n);
    }

    @Override
    public LuaValue arg(int i) {
        return i >= 1 && i <= length ? values[offset + i - 1] : LuaValue.NIL;
    }

    @Override
    public int narg() {
        return length;
    }

    @Override
    public LuaValue arg1() {
        return length > 0 ? values[offset] : LuaValue.NIL;
    }

    /** As Luaj's lists: the values from {@code start} on (an error for {@code start < 1}). */
    @Override
    public Varargs subargs(int start) {
        if (start <= 0) {
            LuaValue.argerror(1, "start must be > 0");
        }
        int skip = start - 1;
        if (skip == 0) {
            return this;
        }
        if (skip >= length) {
            return LuaValue.NONE;
        }
        return length - skip == 1 ? values[offset + skip] : new FlatValues(values, offset + skip, length - skip);
    }
}
