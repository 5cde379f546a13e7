package org.scriptbox.engine.errors;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.IntConsumer;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.Prototype;

/**
 * The message and traceback of the runtime error that is unwinding through Lua frames, built from each
 * frame's pc as it passes ({@link #first}, then {@link #next} per outer frame): nothing is recorded while
 * code runs. As in Lua 5.4:
 * <ul>
 * <li>the VM's own errors name their culprit ({@link RuntimeErrorText});
 * <li>{@code error(msg, level)} takes its position from the level-th frame ({@link LeveledError}); a frame
 * that is not reached (a pcall or the bottom of the stack comes first) gives no position, as a C caller
 * does in Lua;
 * <li>each traceback line names its function as its caller's call instruction does ({@code in local 'f'},
 * {@code in method 'step'}, {@code in function 'plan'} for a global ...).
 * </ul>
 * One per execution's meter, used by the thread running its Lua code.
 */
public final class ErrorTrace {
    /** Instructions of a function read (for names) per instruction charged. */
    public static final int SCANNED_PER_UNIT = 8;

    private final String mark;
    private final int maxFrames;
    /** Charges the execution for the reading of code (names are found by scanning a function's code). */
    private final IntConsumer charge;
    /** {@link ErrorSites#exact} per function, computed once. */
    private final Map<Prototype, Boolean> exact = new WeakHashMap<>();

    private LuaError tracing;
    /** The message: with its position once known. */
    private String head;
    /** Frames until the one that gives a leveled error its position; 0 when settled. */
    private int levelsLeft;
    private String unplacedMessage;
    private final StringBuilder frames = new StringBuilder();
    private int frameCount;
    /** The outermost frame seen, named once its caller is seen. */
    private Prototype pendingFunction;
    private int pendingPc;

    /**
     * @param mark      what separates the message from the frames in the error's text
     * @param maxFrames frames listed before "..."
     * @param charge    charges instructions' worth of work to the execution (may throw its limit error)
     */
    public ErrorTrace(String mark, int maxFrames, IntConsumer charge) {
        this.mark = mark;
        this.maxFrames = maxFrames;
        this.charge = charge;
    }

    /** Whether {@code p}'s errors name culprits, with the reading of its code charged. */
    private boolean named(Prototype p) {
        charge.accept(1 + p.code.length / SCANNED_PER_UNIT);
        Boolean e = exact.get(p);
        if (e == null) {
            e = ErrorSites.exact(p);
            exact.put(p, e);
        }
        return e;
    }

    /**
     * The error {@code le}, whose text is {@code message}, unwinds its first Lua frame: {@code p} at
     * {@code pc}. {@code tail}/{@code tailPc}: the frame that had just returned through a tail call whose
     * callee failed before any of its instructions ran (Luaj runs that call after the frame is gone; Lua
     * reports it in that frame), or null. Returns the error's text: message, mark, frames.
     */
    public String first(LuaError le, String message, Prototype p, int pc, Prototype tail, int tailPc,
            int concatOperand) {
        tracing = le;
        frames.setLength(0);
        frameCount = 0;
        levelsLeft = 0;
        Prototype at = tail != null ? tail : p;
        int atPc = tail != null ? tailPc : pc;
        String text = message == null ? "nil" : message;
        if (le instanceof LeveledError) {
            int level = ((LeveledError) le).level();
            if (level == 1) {
                head = Positions.of(at, atPc) + ": " + text;
            } else {
                head = text;
                levelsLeft = level - 1;
                unplacedMessage = text;
            }
        } else if (le instanceof ArgumentError) {
            // a library function refused an argument: named as this call names it, a method's receiver not counted
            head = Positions.of(at, atPc) + ": " + ((ArgumentError) le).atCallSite(
                    named(at) ? VariableNames.calledFunction(at, atPc) : null);
        } else {
            head = Positions.of(at, atPc) + ": " + RuntimeErrorText.of(text, at, atPc, named(at), concatOperand);
        }
        pendingFunction = at;
        pendingPc = atPc;
        frameCount = 1;
        if (tail != null) {
            next(le, p, pc);
        }
        return text();
    }

    /** {@code le} unwinds one more Lua frame, {@code p} at {@code pc}: its text, or null if not traced here. */
    public String next(LuaError le, Prototype p, int pc) {
        if (tracing != le) {
            return null;
        }
        if (levelsLeft > 0 && --levelsLeft == 0) {
            head = Positions.of(p, pc) + ": " + unplacedMessage;
        }
        if (frameCount <= maxFrames) {
            if (pendingFunction != null) {
                frames.append(Positions.frameLine(pendingFunction, pendingPc,
                        FrameNames.of(pendingFunction, named(p) ? VariableNames.calledFunction(p, pc) : null)));
            }
            frameCount++;
            if (frameCount > maxFrames) {
                frames.append("\n\t...");
                pendingFunction = null;
            } else {
                pendingFunction = p;
                pendingPc = pc;
            }
        }
        return text();
    }

    private String text() {
        StringBuilder sb = new StringBuilder(head.length() + mark.length() + frames.length() + 64);
        sb.append(head).append('\n').append(mark).append(frames);
        if (pendingFunction != null) {
            sb.append(Positions.frameLine(pendingFunction, pendingPc, FrameNames.of(pendingFunction, null)));
        }
        return sb.toString();
    }
}
