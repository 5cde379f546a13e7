package org.scriptbox.engine.vm;

import org.luaj.vm2.LuaString;

/**
 * One compiled table access with a constant string key ({@code t.x}): the key and the entry where it was last
 * found ({@link EngineTable#getField}). Generated code reads it from a static field of its class, one per
 * instruction: the key, the cache and the site in one 3-byte {@code getstatic} instead of 16 bytes of constant,
 * cast, cache array and index. Shared by every execution of the chunk; the entry is only a hint (an {@code int}
 * written without synchronisation is always some entry once found, and every hit is checked).
 */
public final class FieldSite {
    final LuaString key;
    int entry;

    public FieldSite(LuaString key) {
        this.key = key;
    }
}
