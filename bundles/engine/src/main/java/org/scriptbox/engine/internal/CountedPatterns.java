package org.scriptbox.engine.internal;

import java.util.function.Supplier;

import org.luaj.vm2.Buffer;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Luaj's {@code find}, {@code match}, {@code gmatch} and {@code gsub}, with every step of the
 * pattern matcher charged to the execution's instruction budget, so that a pattern that backtracks
 * exponentially runs out of budget (or time) like a loop does, and with {@code gsub}'s result held to
 * the string-length limit as it grows.
 *
 * <p>The matcher is Luaj 3.0.1's, as the engine's own class ({@link LuaMatchState}: Luaj's is
 * package-private); the loops below are Luaj's, unchanged except for the counting.
 */
public final class CountedPatterns {
    /** What the matcher reports to: the engine's budget. */
    public interface Meter {
        /** {@code n} units of work were done; may throw to end the execution. */
        void charge(int n);

        /** A string of {@code length} is about to exist; may throw. */
        void checkStringLength(long length);

        /**
         * Units that can be charged before one charge meets the next check (limits, deadline, cancel): a loop that
         * charges in batches charges when it has done this many, so it stops where charging each unit would.
         */
        default int room() {
            return 1;
        }
    }

    private CountedPatterns() {
    }

    public static void install(LuaTable string, Supplier<? extends Meter> meter) {
        string.set("find", new FindOrMatch(true, meter));
        string.set("match", new FindOrMatch(false, meter));
        string.set("gmatch", new GMatch(meter));
        string.set("gsub", new GSub(meter));
    }

    /**
     * Instructions per call that runs the matcher ({@code find} with specials, {@code match}, {@code gmatch},
     * {@code gsub}): the check of the pattern and a match state made, ~100-250 ns before the first step. At the
     * base cost alone a call that matched at once ({@code s:find('%f[a]')}, {@code s:match('%a')}) cost ~14-20x a
     * plain instruction per charged one (red team C4, library-CPU benchmark row {@code find %f}).
     */
    static final int MATCHER_SETUP_COST = 16;

    /** Nested match() calls of one match attempt: Lua 5.2's {@code MAXCCALLS} in lstrlib.c. */
    static final int MAX_MATCH_DEPTH = 200;

    /** Instructions per call of a gsub replacement function or table lookup. */
    static final int CALLBACK_COST = 8;
    /** Instructions per replacement by a string (its captures are looked up and copied in). */
    static final int REPLACEMENT_COST = 4;


    /**
     * refuses a malformed pattern with Lua's own message before Luaj's matcher reads past its
     * end: an unterminated class ({@code "[a"}, {@code "[]"}, {@code "[a-%]"}) or a {@code %f} without its set
     * made it throw {@code ArrayIndexOutOfBoundsException}, which no pcall caught (red-team F1). The rules
     * are Lua 5.2's {@code classEnd} and {@code %f}/{@code %b} checks; one pass, charged per 8 bytes.
     */
    static void checkPattern(LuaString pattern, Meter meter) {
        int n = pattern.length();
        meter.charge(MATCHER_SETUP_COST + n / 8);
        for (int i = 0; i < n; ) {
            int c = pattern.luaByte(i++);
            if (c == '%') {
                if (i >= n) {
                    throw new LuaError("malformed pattern (ends with '%')");
                }
                int e = pattern.luaByte(i++);
                if (e == 'b') {
                    if (i + 1 >= n) {
                        throw new LuaError("malformed pattern (missing arguments to '%b')");
                    }
                    i += 2;
                } else if (e == 'f') {
                    if (i >= n || pattern.luaByte(i) != '[') {
                        throw new LuaError("missing '[' after '%f' in pattern");
                    }
                }
            } else if (c == '[') {
                if (i < n && pattern.luaByte(i) == '^') {
                    i++;
                }
                do { // the first character of a class may be ']' itself
                    if (i >= n) {
                        throw new LuaError("malformed pattern (missing ']')");
                    }
                    if (pattern.luaByte(i++) == '%' && i < n) {
                        i++;
                    }
                } while (i >= n || pattern.luaByte(i) != ']');
                i++;
            }
        }
    }

    /** MatchState whose every recursive step is charged. */
    static final class CountedMatchState extends LuaMatchState {
        private final Meter meter;

        CountedMatchState(Varargs args, LuaString s, LuaString pattern, Meter meter) {
            super(args, s, pattern);
            this.meter = meter;
        }

        /** match() calls now nested (Lua 5.2's {@code matchdepth}, counted up). */
        private int depth;

        /**
         * Every step charged; nesting bounded as Lua 5.2 bounds it ({@link #MAX_MATCH_DEPTH}, "pattern too complex"):
         * Luaj's matcher recursed without a bound, so {@code s:find(('a?'):rep(4000))} ended in a Java stack overflow
         * that no pcall caught, or succeeded on a thread with a deeper stack (red team E9).
         */
        @Override
        int match(int soffset, int poffset) {
            meter.charge(1);
            if (depth >= MAX_MATCH_DEPTH) {
                throw new LuaError("pattern too complex");
            }
            depth++;
            try {
                return super.match(soffset, poffset);
            } finally {
                depth--;
            }
        }

        // Every character tested against a pattern item is a step too: the run of literal characters
        // inside one match() call, the forward scan of '*' and '+', '-'. Without this a pattern of 5,000
        // literal characters did 5,000 steps per charged one.
        @Override
        boolean singlematch(int c, int poff, int ep) {
            meter.charge(1);
            return super.singlematch(c, poff, ep);
        }

        /** A bracket class is scanned character by character: a class of 5,000 characters is 5,000 steps' work / 8. */
        @Override
        boolean matchbracketclass(int c, int poff, int ec) {
            meter.charge((ec - poff) >> 3);
            return super.matchbracketclass(c, poff, ec);
        }

        @Override
        int classend(int poffset) {
            int end = super.classend(poffset);
            meter.charge((end - poffset) >> 3);
            return end;
        }

        /** {@code %b}: the scan for the closing character, charged as it goes (Luaj's loop, counted). */
        @Override
        int matchbalance(int soff, int poff) {
            int plen = p.length();
            if (poff == plen || poff + 1 == plen) {
                LuaValue.error("unbalanced pattern");
            }
            int slen = s.length();
            if (soff >= slen || s.luaByte(soff) != p.luaByte(poff)) {
                return -1;
            }
            int b = p.luaByte(poff);
            int e = p.luaByte(poff + 1);
            int cont = 1;
            int start = soff;
            while (++soff < slen) {
                if (((soff - start) & 1023) == 0) {
                    meter.charge(1024 >> 3);
                }
                int c = s.luaByte(soff);
                if (c == e) {
                    if (--cont == 0) {
                        return soff + 1;
                    }
                } else if (c == b) {
                    cont++;
                }
            }
            return -1;
        }

        /** Each replacement: a Java call per match for a function or table (whose own instructions count too). */
        @Override
        public void add_value(org.luaj.vm2.Buffer lbuf, int soffset, int end, LuaValue repl) {
            int type = repl.type();
            meter.charge(type == LuaValue.TFUNCTION || type == LuaValue.TTABLE ? CALLBACK_COST : REPLACEMENT_COST);
            super.add_value(lbuf, soffset, end, repl);
        }

        /** A number's text for a replacement: an expensive one weighs more (its base is the callback's cost). */
        @Override
        void numberText(LuaValue number) {
            if (!(number instanceof org.luaj.vm2.LuaInteger)) {
                int weight = org.scriptbox.engine.vm.NumberText.weight(number.todouble());
                if (weight > 1) {
                    meter.charge((weight - 1) * Budget.FLOAT_TEXT_COST);
                }
            }
        }

        /** {@code %1}: compares the capture's length of bytes. */
        @Override
        int match_capture(int soff, int l) {
            int level = l - '1';
            if (level >= 0 && level < this.level && clen[level] > 0) {
                meter.charge(clen[level] >> 3);
            }
            return super.match_capture(soff, l);
        }
    }

    /**
     * {@code s:find(p, init, true)} (and patterns without specials): a naive search, as Luaj's
     * {@code LuaString.indexOf}, but charged per byte compared (one instruction per 8), so a search of
     * {@code ('a'):rep(n)} for {@code ('a'):rep(m) .. 'b'} (n·m comparisons) meets the budget, deadline
     * and cancel as it goes.
     */
    static int indexOf(LuaString s, LuaString p, int from, Meter meter) {
        byte[] sb = s.m_bytes;
        byte[] pb = p.m_bytes;
        int so = s.m_offset;
        int po = p.m_offset;
        int k = p.m_length;
        int last = s.m_length - k;
        int work = 0;
        for (int i = from; i <= last; i++) {
            int j = 0;
            while (j < k && sb[so + i + j] == pb[po + j]) {
                j++;
            }
            if (j == k) {
                meter.charge(work >> 3);
                return i;
            }
            work += j + 1;
            if (work >= 1 << 15) {
                meter.charge(work >> 3);
                work = 0;
            }
        }
        meter.charge(work >> 3);
        return -1;
    }

    /** Luaj's Buffer does not tell its length; gsub must know it as the result grows. */
    private static final java.lang.reflect.Field BUFFER_LENGTH;

    static {
        try {
            BUFFER_LENGTH = Buffer.class.getDeclaredField("length");
            BUFFER_LENGTH.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static int bufferLength(Buffer b) {
        try {
            return BUFFER_LENGTH.getInt(b);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final LuaString SPECIALS = LuaValue.valueOf("^$*+?.([%-");

    static final class FindOrMatch extends VarArgFunction {
        private final boolean find;
        private final Supplier<? extends Meter> meter;

        FindOrMatch(boolean find, Supplier<? extends Meter> meter) {
            this.find = find;
            this.meter = meter;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaString s = args.checkstring(1);
            LuaString pat = args.checkstring(2);
            int init = args.optint(3, 1);
            if (init > s.length() + 1) {
                return NIL; // Lua 5.2 and 5.4: a start past the end finds nothing (Luaj's found '' at #s + 1: E21)
            }
            if (init > 0) {
                init = Math.min(init - 1, s.length());
            } else if (init < 0) {
                init = Math.max(0, s.length() + init);
            }
            boolean fastMatch = find && (args.arg(4).toboolean() || pat.indexOfAny(SPECIALS) == -1);
            if (fastMatch) {
                int result = indexOf(s, pat, init, meter.get());
                if (result != -1) {
                    return varargsOf(valueOf(result + 1), valueOf(result + pat.length()));
                }
            } else {
                Meter m = meter.get();
                checkPattern(pat, m);
                LuaMatchState ms = new CountedMatchState(args, s, pat, m);
                boolean anchor = false;
                int poff = 0;
                if (pat.length() > 0 && pat.luaByte(0) == '^') {
                    anchor = true;
                    poff = 1;
                }
                int soff = init;
                do {
                    int res;
                    ms.reset();
                    if ((res = ms.match(soff, poff)) != -1) {
                        if (find) {
                            return varargsOf(valueOf(soff + 1), valueOf(res), ms.push_captures(false, soff, res));
                        } else {
                            return ms.push_captures(true, soff, res);
                        }
                    }
                } while (soff++ < s.length() && !anchor);
            }
            return NIL;
        }
    }

    static final class GMatch extends VarArgFunction {
        private final Supplier<? extends Meter> meter;

        GMatch(Supplier<? extends Meter> meter) {
            this.meter = meter;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaString src = args.checkstring(1);
            LuaString pat = args.checkstring(2);
            final int srclen = src.length();
            checkPattern(pat, meter.get());
            final LuaMatchState ms = new CountedMatchState(args, src, pat, meter.get());
            return new VarArgFunction() {
                private int soffset;

                @Override
                public Varargs invoke(Varargs ignored) {
                    for (; soffset < srclen; soffset++) {
                        ms.reset();
                        int res = ms.match(soffset, 0);
                        if (res >= 0) {
                            int soff = soffset;
                            soffset = res;
                            return ms.push_captures(true, soff, res);
                        }
                    }
                    return NIL;
                }
            };
        }
    }

    static final class GSub extends VarArgFunction {
        private final Supplier<? extends Meter> meter;

        GSub(Supplier<? extends Meter> meter) {
            this.meter = meter;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaString src = args.checkstring(1);
            final int srclen = src.length();
            LuaString p = args.checkstring(2);
            LuaValue repl = args.arg(3);
            if (repl.type() == TNUMBER) {
                repl = org.scriptbox.engine.vm.NumberText.of(repl); // its text once, not once per match (Lua's text too)
            }
            int maxS = args.optint(4, srclen + 1);
            final boolean anchor = p.length() > 0 && p.charAt(0) == '^';
            Meter m = meter.get();
            checkPattern(p, m);
            if (!anchor && p.length() > 0 && p.indexOfAny(SPECIALS) == -1 && p.indexOf((byte) ')', 0) == -1 && (repl.type() == TSTRING || repl.type() == TNUMBER)) {
                LuaString text = org.scriptbox.engine.vm.NumberText.of(repl);
                if (text.indexOf((byte) '%', 0) == -1) {
                    return literal(src, p, text, maxS, m);
                }
            }
            Buffer lbuf = new Buffer(srclen);
            LuaMatchState ms = new CountedMatchState(args, src, p, m);
            int soffset = 0;
            int n = 0;
            while (n < maxS) {
                ms.reset();
                int res = ms.match(soffset, anchor ? 1 : 0);
                if (res != -1) {
                    if (n == 0 && repl.type() == TSTRING) {
                        checkReplacement(repl.checkstring(), m);
                    }
                    n++;
                    int before = bufferLength(lbuf);
                    ms.add_value(lbuf, soffset, res, repl);
                    int after = bufferLength(lbuf);
                    m.checkStringLength(after);
                    m.charge((after - before) >> 3); // a replacement string with captures is copied in
                }
                if (res != -1 && res > soffset) {
                    soffset = res;
                } else if (soffset < srclen) {
                    lbuf.append((byte) src.luaByte(soffset++));
                } else {
                    break;
                }
                if (anchor) {
                    break;
                }
            }
            m.checkStringLength((long) bufferLength(lbuf) + (srclen - soffset));
            lbuf.append(src.substring(soffset, srclen));
            return varargsOf(lbuf.tostring(), valueOf(n));
        }

        /**
         * Lua's rule for a replacement string, checked when it is first used: each {@code %} is followed by a digit or
         * another {@code %}. Luaj's copied the character after any {@code %} (so {@code '%x'} gave {@code x}) and read
         * one past a trailing {@code %}: the next byte of the array the string shares (a substring: {@code
         * ('x%yz'):sub(1, 2)} replaced by {@code xy}), or a Java exception (red team E21).
         */
        private static void checkReplacement(LuaString r, Meter m) {
            byte[] b = r.m_bytes;
            int end = r.m_offset + r.m_length;
            if (r.m_length > 64) {
                m.charge(r.m_length / 8); // read once more here
            }
            for (int i = r.m_offset; i < end; i++) {
                if (b[i] == '%') {
                    if (++i == end || !(b[i] == '%' || b[i] >= '0' && b[i] <= '9')) {
                        throw new org.luaj.vm2.LuaError("invalid use of '%' in replacement string");
                    }
                }
            }
        }

        /**
         * {@code gsub} of a pattern without specials by a replacement without {@code %} (the common case:
         * {@code s:gsub('item', 'it')}): the same positions tried and the same replacements made as the matcher's
         * loop above, charged exactly as it charges them (per position tried one {@code match} and one step per
         * character compared, {@link #REPLACEMENT_COST} and the copied bytes per replacement; the length checked at
         * each), without a matcher call per position or a byte-at-a-time buffer.
         */
        private static Varargs literal(LuaString src, LuaString p, LuaString repl, int maxS, Meter m) {
            byte[] sb = src.m_bytes;
            int so = src.m_offset;
            int srclen = src.m_length;
            byte[] pb = p.m_bytes;
            int po = p.m_offset;
            int k = p.m_length;
            int r = repl.m_length;
            byte[] out = new byte[Math.max(16, srclen)];
            int length = 0;
            int n = 0;
            int i = 0;
            // steps done and not charged yet; charged when they reach the meter's room, so a limit, the deadline or a
            // cancel stops the loop at the very step (and count) where the matcher's one-by-one charges stop it
            int steps = 0;
            int room = m.room();
            while (n < maxS) {
                if (++steps >= room) { // match() at i
                    m.charge(steps);
                    steps = 0;
                    room = m.room();
                }
                int j = 0;
                while (j < k && i + j < srclen) {
                    if (++steps >= room) { // singlematch() of one character
                        m.charge(steps);
                        steps = 0;
                        room = m.room();
                    }
                    if (sb[so + i + j] != pb[po + j]) {
                        break;
                    }
                    j++;
                }
                if (j == k) {
                    n++;
                    m.charge(steps + REPLACEMENT_COST); // the steps alone stay below the room: the same trip point
                    steps = 0;
                    m.checkStringLength((long) length + r);
                    if (length + r > out.length) {
                        out = java.util.Arrays.copyOf(out, Math.max(length + r, Math.min(2 * out.length, Integer.MAX_VALUE - 16)));
                    }
                    System.arraycopy(repl.m_bytes, repl.m_offset, out, length, r);
                    length += r;
                    m.charge(r >> 3); // a replacement string is copied in
                    room = m.room();
                    i += k;
                } else if (i < srclen) {
                    if (length == out.length) {
                        out = java.util.Arrays.copyOf(out, Math.min(2 * out.length + 16, Integer.MAX_VALUE - 16));
                    }
                    out[length++] = sb[so + i++];
                } else {
                    break;
                }
            }
            m.charge(steps);
            m.checkStringLength((long) length + (srclen - i));
            if (length + (srclen - i) > out.length) {
                out = java.util.Arrays.copyOf(out, length + (srclen - i));
            }
            System.arraycopy(sb, so + i, out, length, srclen - i);
            length += srclen - i;
            return varargsOf(LuaString.valueUsing(out, 0, length), valueOf(n));
        }
    }
}
