package org.scriptbox.engine.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.engine.errors.LeveledError;

/** Turns Luaj's error messages into what scripts and people see. */
final class ErrorMessages {
    /** Luaj prefixes a message with {@code chunk:line} and a space (or {@code chunk:line:}). */
    private static final Pattern POSITION = Pattern.compile("^([^\\s:]+):(\\d+):? (.*)$", Pattern.DOTALL);

    private ErrorMessages() {
    }

    /** The message without the traceback Luaj appended (see {@link Budget#traceback}). */
    static String withoutTraceback(String message) {
        if (message == null) {
            return null;
        }
        int cut = tracebackStart(message);
        return cut < 0 ? message : message.substring(0, cut);
    }

    /** Where the traceback Luaj appended starts (with the newline Luaj puts before it), or -1. */
    private static int tracebackStart(String message) {
        int cut = message.indexOf(Budget.TRACEBACK_MARK);
        return cut > 0 && message.charAt(cut - 1) == '\n' ? cut - 1 : cut;
    }

    /** The value {@code pcall} returns for an error: the error object, or its message without traceback. */
    static LuaValue errorValue(LuaError e) {
        LuaValue object = e.getMessageObject();
        if (object != null && object.type() != LuaValue.TSTRING) {
            return object;
        }
        String m = withoutTraceback(e.getMessage());
        if (m == null) {
            return LuaValue.NIL;
        }
        String text = normalized(m);
        LuaValue raised = raisedString(e, text);
        return raised != null ? raised : LuaValue.valueOf(text);
    }

    /**
     * A string the script raised ({@code error(s)}, {@code assert(false, s)}) with the position {@code text} gives it,
     * as bytes: the string itself, not its Java text made bytes again ({@code '\255ab\200xyz'} came back as other
     * bytes, red team E6). Null if {@code e} raised no string, or {@code text} does not end with it.
     */
    static LuaValue raisedString(LuaError e, String text) {
        if (!(e instanceof LeveledError) || ((LeveledError) e).string() == null) {
            return null;
        }
        LuaString s = ((LeveledError) e).string();
        String message = s.tojstring();
        if (!text.endsWith(message)) {
            return null;
        }
        String position = text.substring(0, text.length() - message.length());
        return position.isEmpty() ? s : LuaValue.valueOf(position).concat(s);
    }

    /** As {@link #raisedString(LuaError, String)} of the error's own text (what pcall would return). */
    static LuaValue raisedString(LuaError e) {
        String m = withoutTraceback(e.getMessage());
        return m == null ? null : raisedString(e, normalized(m));
    }

    /** {@code chunk:line message} (Luaj's form) becomes {@code chunk:line: message} (Lua's). */
    static String normalized(String message) {
        Matcher m = POSITION.matcher(message);
        return m.matches() ? m.group(1) + ":" + m.group(2) + ": " + m.group(3) : message;
    }

    /** The frames of {@code e}'s traceback ({@code \n\tchunk:line: in ...} lines), or null. */
    static String frames(LuaError e) {
        String full = e.getMessage();
        int at = full == null ? -1 : full.indexOf(Budget.TRACEBACK_MARK);
        return at < 0 ? null : full.substring(at + Budget.TRACEBACK_MARK.length());
    }

    static ScriptError runtimeError(LuaError e, ErrorKind kind) {
        String full = e.getMessage();
        LuaValue object = e.getMessageObject();
        String traceback = null;
        if (full != null) {
            int cut = tracebackStart(full);
            if (cut >= 0) {
                traceback = "stack traceback:" + full.substring(full.indexOf(Budget.TRACEBACK_MARK)
                        + Budget.TRACEBACK_MARK.length());
                full = full.substring(0, cut);
            }
        }
        if (object != null && object.type() == LuaValue.TNUMBER) {
            full = org.scriptbox.engine.vm.NumberText.string(object); // as Lua writes it
        } else if (object != null && object.type() != LuaValue.TSTRING) {
            // as the lua command says it
            return new ScriptError(kind, "(error object is a " + object.typename() + " value)", null, 0, 0, traceback);
        }
        if (full == null) {
            full = "error";
        } else if (e instanceof LeveledError && ((LeveledError) e).string() != null) {
            // a string raised: its bytes as the host reads every script string (LuaValues.text), not Luaj's text
            String message = ((LeveledError) e).string().tojstring();
            if (full.endsWith(message)) {
                full = full.substring(0, full.length() - message.length()) + LuaValues.text(((LeveledError) e).string());
            }
        }
        Matcher m = POSITION.matcher(full);
        if (m.matches()) {
            return new ScriptError(kind, m.group(3), m.group(1), Integer.parseInt(m.group(2)), 0, traceback);
        }
        return new ScriptError(kind, full, null, 0, 0, traceback);
    }
}
