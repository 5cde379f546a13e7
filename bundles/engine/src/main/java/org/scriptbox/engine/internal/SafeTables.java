package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaTable;

/** Table functions replaced so that the table-size and string-length limits hold inside them. */
final class SafeTables {
    private SafeTables() {
    }

    static void install(LuaTable table) {
        // filled in by the hardening steps
    }
}
