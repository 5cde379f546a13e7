package org.scriptbox.engine.internal;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.scriptbox.engine.vm.EngineTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;

/**
 * The library functions every execution starts from, built once. What is left out, and why:
 * <ul>
 * <li>{@code io}, {@code package}, {@code dofile}, {@code loadfile}: files are not the script's business;
 * {@code require} is the engine's own and answers only with other deployed scripts.</li>
 * <li>{@code debug}: it reaches into other functions' locals, upvalues and hooks (the budget).</li>
 * <li>{@code luajava}: it reaches any Java class.</li>
 * <li>{@code os} except {@code time}, {@code clock}, {@code date}: the rest runs programs, touches files,
 * reads the environment or exits the JVM.</li>
 * <li>{@code string.dump} and binary chunks: hand-made bytecode can break the VM's invariants.</li>
 * <li>{@code collectgarbage} except {@code "count"}: a script must not drive the JVM's collector.</li>
 * <li>{@code math.random}/{@code randomseed}: replaced per execution, so one script's seed is not another's.</li>
 * </ul>
 * Every function is put behind a {@link LibraryCall} (call depth, base cost, string-length limit of
 * its results).
 * Luaj keeps the string metatable in a static field, shared by every execution: it is set here, once,
 * to a read-only table whose {@code __index} is a read-only copy of the string functions.
 */
final class Sandbox {
    static final LuaTable STRING;
    static final LuaTable TABLE;
    static final LuaTable MATH;
    static final LuaTable OS;

    static {
        Globals template = new Globals();
        LuaTable pkg = new EngineTable();
        pkg.set("loaded", new EngineTable());
        template.set("package", pkg);
        new StringLib().call(LuaValue.valueOf("string"), template);
        new TableLib().call(LuaValue.valueOf("table"), template);
        new LuaMath().call(LuaValue.valueOf("math"), template);

        LuaTable string = copy((LuaTable) template.get("string"));
        string.set("dump", LuaValue.NIL);
        SafeStrings.install(string);
        STRING = new ReadOnlyTable(LibraryCall.wrapAll("string", string));
        LuaString.s_metatable = new ReadOnlyTable(LuaValue.tableOf(new LuaValue[] {LuaValue.INDEX, STRING}));

        LuaTable table = copy((LuaTable) template.get("table"));
        SafeTables.install(table);
        TABLE = LibraryCall.wrapAll("table", table);

        LuaTable math = copy((LuaTable) template.get("math"));
        math.set("random", LuaValue.NIL);
        math.set("randomseed", LuaValue.NIL);
        MATH = LibraryCall.wrapAll("math", math);

        LuaTable os = new EngineTable();
        os.set("clock", new Clock());
        os.set("date", new OsDate());
        os.set("time", new OsTime());
        os.set("difftime", new OsDifftime());
        OS = LibraryCall.wrapAll("os", os);
    }

    private Sandbox() {
    }

    /**
     * {@code os.clock()}: the seconds this execution has been running (from 0 at its start, as a Lua program's clock).
     * Luaj's was the wall time since its {@code OsLib} class was loaded: the container's uptime, the same for every
     * script (red team E23). Wall time, not CPU time: it is never less than the CPU time Lua's clock would count.
     */
    static final class Clock extends org.luaj.vm2.lib.ZeroArgFunction {
        @Override
        public LuaValue call() {
            Execution ex = Execution.CURRENT.get();
            return valueOf(ex == null ? 0 : ex.secondsRunning());
        }
    }

    /** A fresh, writable table with {@code source}'s entries: each execution gets its own library tables. */
    static LuaTable copy(LuaTable source) {
        LuaTable t = new EngineTable();
        LuaValue k = LuaValue.NIL;
        while (true) {
            org.luaj.vm2.Varargs next = source.next(k);
            if ((k = next.arg1()).isnil()) {
                return t;
            }
            t.rawset(k, next.arg(2));
        }
    }
}
