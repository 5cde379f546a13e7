package org.scriptbox.engine.internal;

/**
 * The name a chunk shows in messages and tracebacks, as Lua 5.4's {@code luaO_chunkid} makes it from a chunk name:
 * {@code =name} is shown as written, {@code @file} as a file name (its end kept when long), anything else as the
 * source itself, {@code [string "first line..."]}. At most {@link #ID_SIZE} - 1 characters, as LUA_IDSIZE.
 */
final class ChunkNames {
    static final int ID_SIZE = 60;
    private static final String ELLIPSIS = "...";
    private static final String PRE = "[string \"";
    private static final String POST = "\"]";
    /** Room for the source in {@code [string "..."]}: LUA_IDSIZE less the prefix, suffix, ellipsis and NUL. */
    private static final int SOURCE_ROOM = ID_SIZE - (PRE.length() + ELLIPSIS.length() + POST.length()) - 1;

    private ChunkNames() {
    }

    /**
     * As much of a name as {@link #displayed} can show, taken before the bytes become Java text: a name of
     * megabytes (a chunk named by its own text) costs as much as a short one. Numbers are names too, as in Lua.
     */
    static String head(org.luaj.vm2.LuaValue name) {
        if (!(name instanceof org.luaj.vm2.LuaString s) || s.rawlen() <= 2 * ID_SIZE) {
            return name.tojstring();
        }
        int length = s.rawlen();
        if (s.luaByte(0) == '@') {
            return "@" + s.substring(length - ID_SIZE, length).tojstring();
        }
        return s.substring(0, s.luaByte(0) == '=' ? ID_SIZE + 1 : ID_SIZE).tojstring();
    }

    static String displayed(String chunkName) {
        int length = chunkName.length();
        if (chunkName.startsWith("=")) {
            return length <= ID_SIZE ? chunkName.substring(1) : chunkName.substring(1, ID_SIZE);
        }
        if (chunkName.startsWith("@")) {
            int room = ID_SIZE - ELLIPSIS.length() - 1; // the NUL Lua copies with the name's end
            return length <= ID_SIZE ? chunkName.substring(1) : ELLIPSIS + chunkName.substring(length - room);
        }
        // only the first SOURCE_ROOM + 1 characters are looked at: a load of megabytes names itself in constant time
        int newline = chunkName.substring(0, Math.min(length, SOURCE_ROOM + 1)).indexOf('\n');
        if (length < SOURCE_ROOM && newline < 0) {
            return PRE + chunkName + POST;
        }
        int end = Math.min(newline < 0 ? length : newline, SOURCE_ROOM);
        return PRE + chunkName.substring(0, end) + ELLIPSIS + POST;
    }
}
