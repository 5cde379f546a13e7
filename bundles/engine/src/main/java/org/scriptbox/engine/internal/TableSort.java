package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * {@code table.sort(t [, comp])}: a merge sort of a copy of {@code t[1..#t]}, written back when it is
 * sorted. Luaj's heap sort works in the table's array part in place, so a comparator that shrinks the
 * table made it index past the array ({@code ArrayIndexOutOfBoundsException} reached the script); here
 * the comparator can change the table as it likes: the sort only ever touches its own copy. An
 * inconsistent comparator gives some order, never an error or a Java exception. Every comparison is
 * charged to the budget ({@link #COMPARISON_COST}, plus the bytes compared of two long strings; a
 * comparator's own instructions are counted as any Lua code's), so 1,000 sorts of 1,000 elements cost what their ~10 million comparisons cost.
 */
final class TableSort extends VarArgFunction {
    /** Instructions per comparison (a Java call of {@code lt} or of the comparator). */
    static final int COMPARISON_COST = 5;

    @Override
    public Varargs invoke(Varargs args) {
        LuaTable t = args.checktable(1);
        LuaValue comparator = args.isnoneornil(2) ? NIL : args.checkfunction(2);
        int n = t.length();
        if (n < 2) {
            return NONE;
        }
        Budget budget = SafeStrings.budget();
        budget.checkTableSize(n);
        budget.charge(n / 2);
        LuaValue[] values = new LuaValue[n];
        for (int i = 0; i < n; i++) {
            values[i] = t.get(i + 1);
        }
        LuaValue[] sorted = mergeSort(values, new LuaValue[n], comparator, budget);
        budget.charge(n / 2);
        for (int i = 0; i < n; i++) {
            t.set(i + 1, sorted[i]);
        }
        return NONE;
    }

    /** Bottom-up merge sort; returns whichever of the two arrays holds the result. */
    private static LuaValue[] mergeSort(LuaValue[] a, LuaValue[] b, LuaValue comparator, Budget budget) {
        int n = a.length;
        LuaValue[] from = a;
        LuaValue[] to = b;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                for (int k = lo; k < hi; k++) {
                    // Take from the right only when it is strictly less: equal elements keep their order.
                    if (j < hi && (i >= mid || less(from[j], from[i], comparator, budget))) {
                        to[k] = from[j++];
                    } else {
                        to[k] = from[i++];
                    }
                }
            }
            LuaValue[] swap = from;
            from = to;
            to = swap;
        }
        return from;
    }

    private static boolean less(LuaValue x, LuaValue y, LuaValue comparator, Budget budget) {
        budget.charge(COMPARISON_COST);
        return comparator.isnil() ? budget.lt(x, y) : comparator.call(x, y).toboolean(); // lt: long strings pay per byte
    }
}
