package org.luaj.vm2;

/**
 * scriptbox: a cheap lower bound of the number of elements in a Luaj table, for the table-size limit.
 * Luaj sizes a table's array part so that more than half of it is in use (as PUC Lua does) and counts
 * hash entries, so {@code array capacity / 2 + hash entries} never over-counts by more than removals
 * since the last rehash. Lives in Luaj's package (embedded privately) to read the protected fields.
 */
public final class TableSizes {
    private TableSizes() {
    }

    public static int lowerBound(LuaTable t) {
        return (t.array.length >> 1) + t.hashEntries;
    }
}
