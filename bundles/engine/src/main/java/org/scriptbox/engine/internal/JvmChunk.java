package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.scriptbox.engine.vm.Meter;

/** A script's chunk as JVM classes (the engine's own compiler's), instantiated per execution. */
interface JvmChunk {
    /** The main chunk as a function over {@code env} (the execution's globals), metered by {@code meter}. */
    LuaFunction instantiate(LuaValue env, Meter meter);
}
