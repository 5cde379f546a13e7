package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.TwoArgFunction;

/** {@code os.difftime(t2, t1)}: the seconds from {@code t1} to {@code t2}, both required as in lua5.4. */
final class OsDifftime extends TwoArgFunction {
    @Override
    public LuaValue call(LuaValue t2, LuaValue t1) {
        return LuaValue.valueOf(t2.todouble() - t1.todouble());
    }
}
