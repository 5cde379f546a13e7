package org.scriptbox.engine.vm;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * An execution's globals ({@code _G}, the chunk's {@code _ENV}): Luaj's {@link Globals} (the interpreter and Luaj's
 * base library need one: it carries the running coroutine and the budget) whose elements live in an
 * {@link EngineTable}, so {@code _G} has the same limits as every other table of a script. Every storage method
 * goes to the store; metamethods see this object as the table.
 */
public final class EngineGlobals extends Globals {
    private final EngineTable store = new Store(this);

    /** The store of an {@link EngineGlobals}: metamethods are called with the globals object, not the store. */
    private static final class Store extends EngineTable {
        private final LuaValue owner;

        Store(LuaValue owner) {
            this.owner = owner;
        }

        @Override
        LuaValue owner() {
            return owner;
        }
    }

    /** Where the globals live (the compiled field caches read it directly). */
    EngineTable store() {
        return store;
    }

    @Override public void presize(int narray) { store.presize(narray); }
    @Override public void presize(int narray, int nhash) { store.presize(narray, nhash); }
    @Override protected int getArrayLength() { return store.getArrayLength(); }
    @Override protected int getHashLength() { return store.getHashLength(); }
    @Override public LuaValue getmetatable() { return store.getmetatable(); }
    @Override public LuaValue setmetatable(LuaValue metatable) { store.setmetatable(metatable); return this; }
    @Override public LuaValue rawget(int key) { return store.rawget(key); }
    @Override public LuaValue rawget(LuaValue key) { return store.rawget(key); }
    @Override protected LuaValue hashget(LuaValue key) { return store.hashget(key); }
    @Override public LuaValue get(int key) { return store.get(key); }
    @Override public LuaValue get(LuaValue key) { return store.get(key); }
    @Override public void set(int key, LuaValue value) { store.set(key, value); }
    @Override public void set(LuaValue key, LuaValue value) { store.set(key, value); }
    @Override public void rawset(int key, LuaValue value) { store.rawset(key, value); }
    @Override public void rawset(LuaValue key, LuaValue value) { store.rawset(key, value); }
    @Override public void hashset(LuaValue key, LuaValue value) { store.rawset(key, value); }
    @Override public Varargs next(LuaValue key) { return store.next(key); }
    @Override public int rawlen() { return store.rawlen(); }
    @Override public void sort(LuaValue comparator) { store.sort(comparator); }

    /** Luaj's {@code length()} reads its own metatable field: the store's is the one here. */
    @Override
    public int length() {
        return getmetatable() != null ? EngineTable.lengthOf(len()) : rawlen();
    }

    @Override
    public boolean eq_b(LuaValue val) {
        if (this == val) return true;
        LuaValue mt = getmetatable();
        if (mt == null || !val.istable()) return false;
        LuaValue valmt = val.getmetatable();
        return valmt != null && LuaValue.eqmtcall(this, mt, val, valmt);
    }

    @Override
    public LuaValue eq(LuaValue val) {
        return eq_b(val) ? TRUE : FALSE;
    }

    // A call through __call counts one call level, as for every engine table.
    @Override
    public LuaValue call() {
        TableSizes.Guard g = EngineTable.calling();
        try { return super.call(); } finally { EngineTable.called(g); }
    }

    @Override
    public LuaValue call(LuaValue arg) {
        TableSizes.Guard g = EngineTable.calling();
        try { return super.call(arg); } finally { EngineTable.called(g); }
    }

    @Override
    public LuaValue call(LuaValue arg1, LuaValue arg2) {
        TableSizes.Guard g = EngineTable.calling();
        try { return super.call(arg1, arg2); } finally { EngineTable.called(g); }
    }

    @Override
    public LuaValue call(LuaValue arg1, LuaValue arg2, LuaValue arg3) {
        TableSizes.Guard g = EngineTable.calling();
        try { return super.call(arg1, arg2, arg3); } finally { EngineTable.called(g); }
    }

    @Override
    public Varargs invoke(Varargs args) {
        TableSizes.Guard g = EngineTable.calling();
        try { return super.invoke(args); } finally { EngineTable.called(g); }
    }

    @Override
    public Varargs onInvoke(Varargs args) {
        return invoke(args);
    }
}
