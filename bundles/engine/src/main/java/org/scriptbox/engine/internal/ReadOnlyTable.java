package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A table no script can change: used for what is shared between executions (the string metatable and
 * the string functions behind it), so one script cannot plant a function that another one calls.
 */
final class ReadOnlyTable extends LuaTable {

    /** A read-only copy of {@code source}'s entries. */
    ReadOnlyTable(LuaTable source) {
        LuaValue k = LuaValue.NIL;
        while (true) {
            org.luaj.vm2.Varargs next = source.next(k);
            if ((k = next.arg1()).isnil()) {
                break;
            }
            super.rawset(k, next.arg(2));
        }
    }

    @Override
    public void rawset(int key, LuaValue value) {
        throw readOnly();
    }

    @Override
    public void rawset(LuaValue key, LuaValue value) {
        throw readOnly();
    }

    @Override
    public LuaValue setmetatable(LuaValue metatable) {
        throw readOnly();
    }

    @Override
    public void insert(int pos, LuaValue value) {
        throw readOnly();
    }

    @Override
    public LuaValue remove(int pos) {
        throw readOnly();
    }

    @Override
    public void sort(LuaValue comparator) {
        throw readOnly();
    }

    private static LuaError readOnly() {
        return new LuaError("attempt to modify a read-only table");
    }
}
