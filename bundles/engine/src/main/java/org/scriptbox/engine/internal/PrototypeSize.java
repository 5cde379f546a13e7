package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;

/** A rough count of the bytes a compiled chunk keeps alive: code, constants, line table, nested functions. */
final class PrototypeSize {
    private PrototypeSize() {
    }

    static long estimate(Prototype p) {
        long bytes = 120;
        bytes += 4L * p.code.length;
        bytes += p.lineinfo == null ? 0 : 4L * p.lineinfo.length;
        for (LuaValue k : p.k) {
            // a string constant's bytes (type, not isnumber(): Luaj's scan of "0x" read past its array)
            bytes += 16 + (k.type() == LuaValue.TSTRING ? k.length() + 24 : 0);
        }
        bytes += p.locvars == null ? 0 : 32L * p.locvars.length;
        bytes += p.upvalues == null ? 0 : 24L * p.upvalues.length;
        for (Prototype child : p.p) {
            bytes += estimate(child);
        }
        return bytes;
    }
}
