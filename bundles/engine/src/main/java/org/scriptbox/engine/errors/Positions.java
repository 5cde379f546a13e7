package org.scriptbox.engine.errors;

import org.luaj.vm2.Prototype;

/** {@code chunk:line} of an instruction, and traceback lines. */
public final class Positions {
    private Positions() {
    }

    /** {@code chunk:line} of {@code pc} in {@code p}. */
    public static String of(Prototype p, int pc) {
        return source(p) + ":" + line(p, pc);
    }

    public static int line(Prototype p, int pc) {
        return p.lineinfo != null && pc >= 0 && pc < p.lineinfo.length ? p.lineinfo[pc] : 0;
    }

    /** One traceback line: {@code \n\tchunk:line: in NAME}. */
    static String frameLine(Prototype p, int pc, String name) {
        return "\n\t" + of(p, pc) + ": in " + name;
    }

    static String source(Prototype p) {
        return p.source != null ? p.source.tojstring() : "?";
    }
}
