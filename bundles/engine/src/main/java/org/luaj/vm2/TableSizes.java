package org.luaj.vm2;

/**
 * scriptbox: the table-size limit as seen from inside Luaj's package. {@link LuaTable} (patched) asks
 * {@link #GUARD} for the limit whenever its capacity changes, and counts its elements exactly once its
 * capacity exceeds the limit (see the comment in LuaTable): no table of a sandboxed execution ever holds
 * more elements than the limit.
 */
public final class TableSizes {
    /** The limit of the execution whose Lua code runs on this thread (its thread or a coroutine thread). */
    public static final ThreadLocal<Guard> GUARD = new ThreadLocal<>();

    /** What a table needs from the execution it belongs to. */
    public interface Guard {
        int maxTableSize();

        /** Ends the execution with the table-size limit error; never returns. */
        void tableTooBig(long size);
    }

    private TableSizes() {
    }

    static void tooBig(long size) {
        Guard g = GUARD.get();
        if (g != null) {
            g.tableTooBig(size);
        }
        throw new LuaError("table size limit exceeded (" + size + " elements)");
    }

    /** A cheap lower bound of the number of elements (array part half full or more, plus hash entries). */
    public static int lowerBound(LuaTable t) {
        return (t.array.length >> 1) + t.hashEntries;
    }
}
