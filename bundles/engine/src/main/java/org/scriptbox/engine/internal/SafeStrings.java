package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaTable;

/** String functions replaced so that the string-length limit holds inside Java-side library work. */
final class SafeStrings {
    private SafeStrings() {
    }

    static void install(LuaTable string) {
        // filled in by the hardening steps
    }
}
