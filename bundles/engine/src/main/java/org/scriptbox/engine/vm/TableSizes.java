package org.scriptbox.engine.vm;

import org.luaj.vm2.LuaError;

/**
 * The table-size limit (and the call level of a {@code __call}) as {@link EngineTable} sees
 * it. {@code EngineTable} asks
 * {@link #GUARD} for the limit whenever its capacity changes, and counts its elements exactly once its
 * capacity exceeds the limit (see EngineTable): no table of a sandboxed execution ever holds
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

        /** A table is called through its {@code __call} metamethod: one call level (may throw the depth limit). */
        void enter();

        /** That call returned (normally or not). */
        void exit();

        /**
         * A key lookup walked {@code steps} slots of a long hash chain (0 for a short one) and compared
         * {@code bytesCompared} bytes of string keys (may throw).
         */
        default void lookupWork(int steps, long bytesCompared) {
        }
    }

    /**
     * The smallest limit any execution of this JVM has used (only ever lowered): a table whose capacity is
     * within it cannot break any limit, so it does not even look up its thread's guard — most tables are
     * small, and a thread-local lookup per table created would cost a few percent on allocation-heavy code.
     */
    private static volatile int smallestLimit = Integer.MAX_VALUE;

    /** See {@link #limitInUse}: a table whose capacity is within this needs no counting. */
    public static int smallestLimit() {
        return smallestLimit;
    }

    private TableSizes() {
    }

    /** Called with the limit of every execution before its first table is made. */
    public static void limitInUse(int maxTableSize) {
        if (maxTableSize < smallestLimit) {
            synchronized (TableSizes.class) {
                if (maxTableSize < smallestLimit) {
                    smallestLimit = Math.max(0, maxTableSize);
                }
            }
        }
    }

    /** Ends the execution whose table would hold {@code size} elements (never returns normally). */
    public static void tooBig(long size) {
        Guard g = GUARD.get();
        if (g != null) {
            g.tableTooBig(size);
        }
        throw new LuaError("table size limit exceeded (" + size + " elements)");
    }
}
