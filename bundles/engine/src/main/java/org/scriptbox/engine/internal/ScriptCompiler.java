package org.scriptbox.engine.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.LuaC;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;

/**
 * Compiles Lua text (never binary chunks) into a {@link Prototype}, with errors as
 * {@code chunk:line:column: message near 'token'}.
 *
 * <p>Luaj 3.0.1 reports only the line, and drops the token. The column comes from the byte offset at
 * which the lexer stood when the parser gave up: the lexer has read the current token plus one
 * look-ahead character, so the offending token is the last one that starts before that offset.
 * {@link LuaTokens} re-lexes the source to find it.
 *
 * <p>Compilation is bounded: the source size is capped, Luaj's parser limits nesting to 200 levels,
 * and a Java stack overflow in the parser is reported as a compile error instead of escaping.
 */
final class ScriptCompiler {
    private static final Pattern LUAJ_MESSAGE = Pattern.compile("^.*?:(\\d+): (.*)$", Pattern.DOTALL);

    /** Changed by a configuration update; a compile reads it once. */
    private volatile int maxSourceBytes;

    ScriptCompiler(int maxSourceBytes) {
        this.maxSourceBytes = maxSourceBytes;
    }

    int maxSourceBytes() {
        return maxSourceBytes;
    }

    void maxSourceBytes(int max) {
        maxSourceBytes = max;
    }

    /** Compiles, or throws {@link ScriptException} of kind COMPILATION. */
    Prototype compilePrototype(String chunkName, String source) {
        return compilePrototype(chunkName, source, null);
    }

    /**
     * As {@link #compilePrototype(String, String)}; {@code check} (if not null) runs every
     * {@link #CHECK_BYTES} bytes the lexer reads, so that a compile inside an execution ({@code load}) stops at the
     * run's deadline, cancel or broken limit: Luaj's compiler is quadratic in a jump list, and a 300 KB
     * {@code or} chain ran for its whole 2 s compile cap past a 300 ms limit (red team C5).
     */
    Prototype compilePrototype(String chunkName, String source, Runnable check) {
        // A final newline makes "the lexer reached the end" mean "the offending token is <eof>". It is not
        // part of the file: an error at <eof> is placed at the end of the source as written.
        boolean newlineAdded = !source.endsWith("\n");
        byte[] bytes = (newlineAdded ? source + "\n" : source).getBytes(StandardCharsets.UTF_8);
        int sourceLength = bytes.length - (newlineAdded ? 1 : 0);
        int max = maxSourceBytes;
        if (bytes.length > max) {
            throw new ScriptException(ScriptError.at(ErrorKind.COMPILATION, "source is " + bytes.length
                    + " bytes, more than the limit of " + max, chunkName, 0, 0));
        }
        if (bytes.length >= 4 && bytes[0] == 0x1b) {
            throw new ScriptException(ScriptError.at(ErrorKind.COMPILATION,
                    "binary chunks are not accepted", chunkName, 1, 1));
        }
        strayNul(chunkName, bytes);
        CountingStream in = new CountingStream(bytes, CompileClock.now() + MAX_COMPILE_NANOS, check);
        Prototype p;
        try {
            p = LuaC.instance.compile(in, chunkName);
        } catch (CompileTooLong e) {
            throw new ScriptException(ScriptError.at(ErrorKind.COMPILATION, "source too complex: not compiled within "
                    + MAX_COMPILE_NANOS / 1_000_000 + " ms of CPU", chunkName, lineAt(bytes, in.read), columnAt(bytes, in.read)));
        } catch (LuaError e) {
            malformedNumber(chunkName, bytes, in.read); // Lua's lexer would have stopped at it first ('0xg': at '0x')
            throw new ScriptException(syntaxError(chunkName, bytes, sourceLength, e.getMessage(), in));
        } catch (StackOverflowError e) {
            throw new ScriptException(ScriptError.at(ErrorKind.COMPILATION,
                    "source too deeply nested", chunkName, lineAt(bytes, in.read), 0));
        } catch (NullPointerException e) {
            String limit = compilerLimit(e);
            if (limit != null) {
                throw new ScriptException(syntaxError(chunkName, bytes, sourceLength, limit, in));
            }
            throw internalError(chunkName, bytes, in, e);
        } catch (NumberFormatException e) {
            malformedNumber(chunkName, bytes, bytes.length); // Luaj's lexer failed on the first malformed numeral it read
            throw internalError(chunkName, bytes, in, e);
        } catch (IOException | RuntimeException e) {
            throw internalError(chunkName, bytes, in, e);
        }
        malformedNumber(chunkName, bytes, bytes.length); // one that Luaj took for a number
        return p;
    }

    /**
     * Lua's {@code malformed number near '1e'} at the first numeral Lua 5.2 would not read, if there is one starting
     * before {@code limit}.
     */
    private static void malformedNumber(String chunkName, byte[] bytes, int limit) {
        LuaTokens.Token t = LuaTokens.firstMalformedNumber(bytes);
        if (t != null && t.start < limit) {
            String text = new String(bytes, t.start, Math.min(t.end - t.start, 60), StandardCharsets.ISO_8859_1);
            throw new ScriptException(ScriptError.at(ErrorKind.COMPILATION, "malformed number near '" + text + "'",
                    chunkName, lineAt(bytes, t.start), columnAt(bytes, t.start)));
        }
    }

    /** No Java exception text for the script's author: where the compiler stood, and that it failed. */
    private static ScriptException internalError(String chunkName, byte[] bytes, CountingStream in, Exception e) {
        return new ScriptException(ScriptError.at(ErrorKind.COMPILATION,
                "cannot compile (internal compiler error)", chunkName, lineAt(bytes, in.read),
                columnAt(bytes, in.read)), e);
    }

    /**
     * Luaj 3.0.1 reports its compiler limits (200 local variables per function, 255 upvalues) through a
     * field it never sets ({@code FuncState.errorlimit} calls {@code L.pushfstring} with {@code L} null):
     * the limit it was about to report, as Lua words it, read from the frame that checked it; else null.
     */
    static String compilerLimit(NullPointerException e) {
        StackTraceElement[] frames = e.getStackTrace();
        for (int i = 0; i + 2 < frames.length; i++) {
            if (frames[i].getMethodName().equals("errorlimit")
                    && frames[i].getClassName().equals("org.luaj.vm2.compiler.FuncState")) {
                String checker = frames[i + 2].getMethodName();
                if (checker.equals("new_localvar")) {
                    return "too many local variables (limit is 200)";
                }
                if (checker.equals("newupvalue")) {
                    return "too many upvalues (limit is 255)";
                }
                return "too many items (compiler limit)";
            }
        }
        return null;
    }

    /** A raw NUL byte outside strings and comments is a syntax error, as in Lua (Luaj skips it). */
    private static void strayNul(String chunkName, byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                LuaTokens.Token t = LuaTokens.firstStartingWith(bytes, 0);
                if (t != null) {
                    throw new ScriptException(ScriptError.at(ErrorKind.COMPILATION,
                            "unexpected symbol near '<\\0>'", chunkName, lineAt(bytes, t.start),
                            columnAt(bytes, t.start)));
                }
                return;
            }
        }
    }

    private static ScriptError syntaxError(String chunkName, byte[] src, int sourceLength, String luajMessage,
            CountingStream in) {
        String message = luajMessage == null ? "syntax error" : luajMessage;
        int luajLine = 0;
        Matcher m = LUAJ_MESSAGE.matcher(message);
        if (m.matches()) {
            luajLine = Integer.parseInt(m.group(1));
            // Luaj adds the token's internal code, e.g. "unexpected symbol 61 (=)": the token comes below.
            message = m.group(2).replaceFirst(" \\d+ \\(.*\\)$", "");
        }
        if (in.eof) {
            int end = sourceLength;
            return ScriptError.at(ErrorKind.COMPILATION, message + " near <eof>", chunkName,
                    lineAt(src, end), columnAt(src, end));
        }
        // The lexer has read the offending token and one look-ahead character.
        LuaTokens.Token token = LuaTokens.lastStartingBefore(src, in.read - 1);
        if (token == null) {
            return ScriptError.at(ErrorKind.COMPILATION, message, chunkName, luajLine, 0);
        }
        String text = new String(src, token.start, token.end - token.start, StandardCharsets.UTF_8);
        if (text.length() > 40) {
            text = text.substring(0, 37) + "...";
        }
        return ScriptError.at(ErrorKind.COMPILATION, message + " near '" + text + "'", chunkName,
                lineAt(src, token.start), columnAt(src, token.start));
    }

    /** 1-based line of a byte offset. */
    static int lineAt(byte[] src, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < src.length; i++) {
            if (src[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    /** 1-based column, in characters, of a byte offset. */
    static int columnAt(byte[] src, int offset) {
        int start = Math.min(offset, src.length);
        while (start > 0 && src[start - 1] != '\n') {
            start--;
        }
        return new String(src, start, Math.min(offset, src.length) - start, StandardCharsets.UTF_8).length() + 1;
    }

    /**
     * The longest a compile may take. Luaj's compiler is quadratic in the length of a jump list (each
     * {@code or}/{@code and} walks the list to append to it): 150,000 {@code or a} (750 KB) took 29 s, on the
     * deploy watcher's thread (red-team F8). A legitimate 1 MiB source compiles in well under a second.
     * Measured in the compiling thread's CPU time, so whether a file compiles does not depend on machine load.
     */
    static final long MAX_COMPILE_NANOS = 2_000_000_000L;

    /** Bytes read between two runs of a compile's check (a power of two). */
    static final int CHECK_BYTES = 64;

    /** The compiling thread's CPU time (wall time where the JVM cannot measure it). */
    private static final class CompileClock {
        private static final java.lang.management.ThreadMXBean THREADS =
                java.lang.management.ManagementFactory.getThreadMXBean();
        private static final boolean CPU = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

        static long now() {
            return CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        }
    }

    /** Thrown from the source stream when the compile ran past its deadline. */
    private static final class CompileTooLong extends RuntimeException {
        CompileTooLong() {
            super(null, null, false, false);
        }
    }

    /**
     * Counts the bytes the lexer has read, and whether it reached the end; past the deadline a read throws
     * (the lexer reads all along the parse, so the compile stops within one step of the parser after it).
     */
    private static final class CountingStream extends InputStream {
        private final ByteArrayInputStream in;
        private final long deadlineNanos;
        private final Runnable check;
        int read;
        boolean eof;

        CountingStream(byte[] bytes, long deadlineNanos, Runnable check) {
            in = new ByteArrayInputStream(bytes);
            this.deadlineNanos = deadlineNanos;
            this.check = check;
        }

        @Override
        public int read() {
            if ((read & (CHECK_BYTES - 1)) == 0) {
                if (check != null) {
                    check.run();
                }
                if ((read & 255) == 0 && CompileClock.now() - deadlineNanos > 0) {
                    throw new CompileTooLong();
                }
            }
            int c = in.read();
            if (c < 0) {
                eof = true;
            } else {
                read++;
            }
            return c;
        }
    }
}
