package org.scriptbox.engine.errors;

import org.luaj.vm2.Prototype;

/** How a traceback line names its function, as Lua 5.4's luaL_traceback does. */
final class FrameNames {
    private FrameNames() {
    }

    /**
     * {@code function 'plan'} for a global, {@code local 'f'}, {@code method 'step'}, {@code upvalue 'g'},
     * {@code field 'fire'} ... as the caller's call instruction names it ({@code calledAs}); without a
     * name (called from Java: pcall, a coroutine, the engine) {@code main chunk} or
     * {@code function <chunk:line>}.
     */
    static String of(Prototype p, VariableNames.Name calledAs) {
        if (p.linedefined == 0) {
            return "main chunk";
        }
        if (calledAs == null) {
            return "function <" + Positions.source(p) + ":" + p.linedefined + ">";
        }
        if ("global".equals(calledAs.kind())) {
            return "function '" + calledAs.name() + "'";
        }
        return calledAs.kind() + " '" + calledAs.name() + "'";
    }
}
