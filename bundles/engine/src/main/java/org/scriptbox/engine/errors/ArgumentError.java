package org.scriptbox.engine.errors;

import org.luaj.vm2.LuaError;

/**
 * A standard-library function refused its argument, worded as Lua 5.4's luaL_argerror words it:
 * {@code bad argument #2 to 'rep' (number expected, got no value)}. Made with the function's global name
 * ({@code string.rep}: what Lua says when nothing in Lua code names the call, e.g. {@code pcall(string.rep)});
 * the frame that made the call renames it as its call instruction names the function, and a method call
 * ({@code s:rep()}) counts its arguments without the receiver ({@link #atCallSite}).
 */
public final class ArgumentError extends LuaError {
    private static final long serialVersionUID = 1L;
    private final String function;
    private final int argument;
    private final String detail;

    public ArgumentError(String function, int argument, String detail) {
        super("bad argument #" + argument + " to '" + function + "' (" + detail + ")");
        this.function = function;
        this.argument = argument;
        this.detail = detail;
    }

    /** The text as the calling instruction names the function ({@code null}: unknown, the global name stays). */
    String atCallSite(VariableNames.Name calledAs) {
        if (calledAs == null) {
            return getMessage();
        }
        if ("method".equals(calledAs.kind())) {
            return argument == 1 ? "calling '" + calledAs.name() + "' on bad self (" + detail + ")"
                    : "bad argument #" + (argument - 1) + " to '" + calledAs.name() + "' (" + detail + ")";
        }
        return "bad argument #" + argument + " to '" + calledAs.name() + "' (" + detail + ")";
    }
}
