package org.scriptbox.engine.docs;

import java.util.Map;
import java.util.TreeMap;

/**
 * LuaLS annotations of the sandbox's standard library (Lua 5.2 as Luaj has it, with scriptbox's changes).
 * Only what a script's globals contain is written ({@link LuaDefinitions}): an entry here for a function
 * the sandbox removed is never emitted.
 */
public final class StandardDocs {
    static final Map<String, String> DOCS = new TreeMap<>();

    private StandardDocs() {
    }

    /** {@code "(a, b)"} followed by annotation lines: the form {@link LuaDefinitions#generate} takes. */
    public static String doc(String signature, String... lines) {
        return signature + (lines.length == 0 ? "" : "\n" + String.join("\n", lines));
    }

    private static void d(String name, String signature, String... lines) {
        DOCS.put(name, doc(signature, lines));
    }

    static {
        d("assert", "(v, message, ...)", "---@generic T", "---@param v T", "---@param message? any", "---@return T",
                "--- Raises `message` (default \"assertion failed!\") when `v` is false or nil.");
        d("error", "(message, level)", "---@param message any", "---@param level? integer 1: where error was called, 2: its caller, 0: no position",
                "--- Raises an error; pcall/xpcall catch it.");
        d("getmetatable", "(object)", "---@param object any", "---@return table?");
        d("setmetatable", "(t, mt)", "---@param t table", "---@param mt? table", "---@return table");
        d("ipairs", "(t)", "---@param t table", "---@return fun(t: table, i: integer): integer, any", "---@return table", "---@return integer");
        d("pairs", "(t)", "---@param t table", "---@return fun(t: table, k?: any): any, any", "---@return table", "---@return nil");
        d("next", "(t, k)", "---@param t table", "---@param k? any", "---@return any", "---@return any");
        d("pcall", "(f, ...)", "---@param f function", "---@return boolean ok", "---@return any ...",
                "--- Calls f; returns false and the error instead of raising it. Limits (time, instructions, memory) cannot be caught.");
        d("xpcall", "(f, handler, ...)", "---@param f function", "---@param handler fun(message: any): any",
                "---@return boolean ok", "---@return any ...");
        d("print", "(...)", "---@param ... any", "--- Writes one INFO line to the script's log.");
        d("rawequal", "(a, b)", "---@return boolean");
        d("rawget", "(t, k)", "---@param t table", "---@return any");
        d("rawset", "(t, k, v)", "---@param t table", "---@return table");
        d("rawlen", "(v)", "---@param v table|string", "---@return integer");
        d("select", "(n, ...)", "---@param n integer|'#'", "---@return any ...");
        d("tonumber", "(v, base)", "---@param v any", "---@param base? integer", "---@return number?");
        d("tostring", "(v)", "---@param v any", "---@return string");
        d("type", "(v)", "---@param v any", "---@return 'nil'|'number'|'string'|'boolean'|'table'|'function'|'thread'|'userdata'");
        d("load", "(chunk, chunkname, mode, env)", "---@param chunk string|fun(): string?", "---@param chunkname? string",
                "---@param mode? 't'", "---@param env? table", "---@return function?", "---@return string? error",
                "--- Text chunks only; the chunk runs under the caller's limits.");
        d("require", "(name)", "---@param name string a deployed script listed in this script's dependencies",
                "---@return any");
        d("collectgarbage", "(opt)", "---@param opt 'count'", "---@return number kilobytes allocated by this execution so far");
        d("on_stop", "(hook)", "---@param hook fun(reason: string)",
                "--- Runs `hook` once when the execution ends (completed, error, limit, cancel), with its own small budget.");
        d("debug.traceback", "(message, level)", "---@param message? any", "---@param level? integer", "---@return string",
                "--- The message and, in an xpcall handler, the frames of the error being handled.");
        // string
        d("string.byte", "(s, i, j)", "---@param s string", "---@param i? integer", "---@param j? integer", "---@return integer ...");
        d("string.char", "(...)", "---@param ... integer", "---@return string");
        d("string.find", "(s, pattern, init, plain)", "---@param s string", "---@param pattern string", "---@param init? integer",
                "---@param plain? boolean", "---@return integer? start", "---@return integer? end", "---@return string ... captures");
        d("string.format", "(fmt, ...)", "---@param fmt string", "---@param ... any", "---@return string");
        d("string.gmatch", "(s, pattern)", "---@param s string", "---@param pattern string", "---@return fun(): string ...");
        d("string.gsub", "(s, pattern, repl, n)", "---@param s string", "---@param pattern string",
                "---@param repl string|table|fun(...: string): any", "---@param n? integer", "---@return string", "---@return integer");
        d("string.len", "(s)", "---@param s string", "---@return integer");
        d("string.lower", "(s)", "---@param s string", "---@return string");
        d("string.upper", "(s)", "---@param s string", "---@return string");
        d("string.match", "(s, pattern, init)", "---@param s string", "---@param pattern string", "---@param init? integer",
                "---@return string ...");
        d("string.rep", "(s, n, sep)", "---@param s string", "---@param n integer", "---@param sep? string", "---@return string");
        d("string.reverse", "(s)", "---@param s string", "---@return string");
        d("string.sub", "(s, i, j)", "---@param s string", "---@param i integer", "---@param j? integer", "---@return string");
        // table
        d("table.concat", "(list, sep, i, j)", "---@param list table", "---@param sep? string", "---@param i? integer",
                "---@param j? integer", "---@return string");
        d("table.insert", "(list, pos, value)", "---@param list table", "---@param pos integer|any", "---@param value? any");
        d("table.pack", "(...)", "---@return table");
        d("table.remove", "(list, pos)", "---@param list table", "---@param pos? integer", "---@return any");
        d("table.sort", "(list, comp)", "---@param list table", "---@param comp? fun(a: any, b: any): boolean");
        d("table.unpack", "(list, i, j)", "---@param list table", "---@param i? integer", "---@param j? integer", "---@return any ...");
        // math
        for (String f : new String[] {"abs", "ceil", "floor", "sqrt", "exp", "sin", "cos", "tan", "asin", "acos", "atan", "deg", "rad",
                "sinh", "cosh", "tanh"}) {
            d("math." + f, "(x)", "---@param x number", "---@return number");
        }
        d("math.max", "(x, ...)", "---@param x number", "---@param ... number", "---@return number");
        d("math.min", "(x, ...)", "---@param x number", "---@param ... number", "---@return number");
        d("math.fmod", "(x, y)", "---@param x number", "---@param y number", "---@return number");
        d("math.modf", "(x)", "---@param x number", "---@return number", "---@return number");
        d("math.pow", "(x, y)", "---@param x number", "---@param y number", "---@return number");
        d("math.log", "(x, base)", "---@param x number", "---@param base? number", "---@return number");
        d("math.atan2", "(y, x)", "---@param y number", "---@param x number", "---@return number");
        d("math.random", "(m, n)", "---@param m? integer", "---@param n? integer", "---@return number");
        d("math.randomseed", "(x)", "---@param x number");
        // os
        d("os.time", "(t)", "---@param t? table", "---@return integer");
        d("os.clock", "()", "---@return number seconds since this run started");
        d("os.difftime", "(t2, t1)", "---@param t2 integer", "---@param t1 integer", "---@return number seconds from t1 to t2");
        d("os.date", "(format, time)", "---@param format? string", "---@param time? integer", "---@return string|table");
        // coroutine
        d("coroutine.create", "(f)", "---@param f function", "---@return thread");
        d("coroutine.resume", "(co, ...)", "---@param co thread", "---@return boolean ok", "---@return any ...");
        d("coroutine.yield", "(...)", "---@return any ...");
        d("coroutine.status", "(co)", "---@param co thread", "---@return 'running'|'suspended'|'normal'|'dead'");
        d("coroutine.wrap", "(f)", "---@param f function", "---@return fun(...): any");
        d("coroutine.running", "()", "---@return thread", "---@return boolean ismain");
        d("coroutine.isyieldable", "()", "---@return boolean");
    }
}
