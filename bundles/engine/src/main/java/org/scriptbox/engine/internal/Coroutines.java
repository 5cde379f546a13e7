package org.scriptbox.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.scriptbox.engine.vm.EngineTable;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.scriptbox.api.ErrorKind;

/**
 * The {@code coroutine} library of one execution, bounded. In Luaj every coroutine is a Java thread,
 * so: at most {@code maxCoroutines} may be alive (not dead) at once, and when the execution ends —
 * normally, on error, timeout or cancel — every coroutine thread it started is interrupted, which makes
 * Luaj unwind it ({@code OrphanedThread}), instead of waiting for Luaj's 5-second orphan check.
 * Each coroutine body runs through {@link Body}, which registers its thread, makes the execution
 * current on it, and accounts its allocated bytes and CPU time.
 */
final class Coroutines {
    private final Execution execution;
    private final Globals globals;
    private final int max;
    private final List<LuaThread> created = new ArrayList<>();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private volatile long coroutineCpuNanos;

    Coroutines(Execution execution, Globals globals, int max) {
        this.execution = execution;
        this.globals = globals;
        this.max = max;
    }

    LuaTable library() {
        LuaTable t = new EngineTable();
        t.set("create", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue f) {
                return create(f.checkfunction());
            }
        });
        t.set("wrap", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue f) {
                final LuaThread thread = create(f.checkfunction());
                // Calling it resumes the coroutine: the same door, depth and cost as coroutine.resume.
                return LibraryCall.of("coroutine.wrap(...)", new VarArgFunction() {
                    @Override
                    public Varargs invoke(Varargs args) {
                        Varargs r = resume(thread, args);
                        if (r.arg1().toboolean()) {
                            return r.subargs(2);
                        }
                        LuaValue message = r.arg(2);
                        // a number stays the number it was (Lua passes the error object on), not Luaj's text of it
                        // (a string keeps its bytes: LeveledError)
                        throw message.type() == TSTRING ? org.scriptbox.engine.errors.LeveledError.of(message, 0)
                                : new LuaError(message);
                    }
                }, LibraryCosts.baseCost("coroutine.resume"));
            }
        });
        t.set("resume", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                return resume(args.checkthread(1), args.subargs(2));
            }
        });
        t.set("yield", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                if (globals.running.isMainThread()) {
                    // Lua's words, without a position as Lua's (Luaj: "test.lua:3: cannot yield main thread"; E11)
                    throw org.scriptbox.engine.errors.LeveledError.of(valueOf("attempt to yield from outside a coroutine"), 0);
                }
                Varargs in = globals.yield(args);
                execution.budget().resumeFrame();
                return in;
            }
        });
        t.set("status", new OneArgFunction() {
            @Override
            public LuaValue call(LuaValue co) {
                return valueOf(co.checkthread().getStatus());
            }
        });
        t.set("running", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                LuaThread r = globals.running;
                return varargsOf(r, valueOf(r.isMainThread()));
            }
        });
        t.set("isyieldable", new ZeroArgFunction() {
            @Override
            public LuaValue call() {
                return valueOf(!globals.running.isMainThread());
            }
        });
        return LibraryCall.wrapAll("coroutine", t);
    }

    /** Resumes {@code thread}; when it yields or ends, the budget follows control back to this coroutine. */
    private Varargs resume(LuaThread thread, Varargs args) {
        Varargs r;
        try {
            r = thread.resume(args);
        } finally {
            execution.budget().resumeFrame();
        }
        if (!r.arg1().toboolean() && thread instanceof CoroutineThread c) {
            LuaValue raised = c.body.takeRaisedValue();
            if (raised != null) {
                return LuaValue.varargsOf(LuaValue.FALSE, raised);
            }
        }
        // Luaj hands back the coroutine's error message with the traceback it appended: cut it off.
        if (!r.arg1().toboolean() && r.arg(2).type() == LuaValue.TSTRING) {
            String message = ErrorMessages.withoutTraceback(r.arg(2).tojstring());
            return LuaValue.varargsOf(LuaValue.FALSE, LuaValue.valueOf(ErrorMessages.normalized(message)));
        }
        return r;
    }

    private LuaThread create(LuaValue function) {
        created.removeIf(c -> c.state.status == LuaThread.STATUS_DEAD);
        threads.removeIf(t -> !t.isAlive());
        if (created.size() >= max) {
            execution.budget().trip(ErrorKind.LIMIT, "coroutine limit of " + max + " alive at once exceeded");
        }
        LuaThread thread = new CoroutineThread(globals, new Body(function));
        created.add(thread);
        return thread;
    }

    /** Ends every coroutine thread of the execution and waits, bounded, until they are gone. */
    void endAll(long waitMillis) {
        for (Thread t : threads) {
            t.interrupt();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Coroutine threads still alive (0 once {@link #endAll} has done its work). */
    int liveThreads() {
        int n = 0;
        for (Thread t : threads) {
            if (t.isAlive()) {
                n++;
            }
        }
        return n;
    }

    long cpuNanos() {
        return coroutineCpuNanos;
    }

    /** A coroutine's thread that knows its body, which keeps the value an error raised. */
    private static final class CoroutineThread extends LuaThread {
        final Body body;

        CoroutineThread(org.luaj.vm2.Globals globals, Body body) {
            super(globals, body);
            this.body = body;
        }
    }

    /** Runs a coroutine's function on the coroutine's own thread, as part of the execution. */
    private final class Body extends VarArgFunction {
        private final LuaValue function;
        /**
         * The value of an error that is not a string ({@code error({code = 1})}, {@code error(nil)}, a number):
         * Luaj's thread hands resume() only the error's text ("table: 1b2c3d"), Lua hands back the value. Written
         * on the coroutine's thread, taken on the resumer's.
         */
        private volatile LuaValue raised;

        Body(LuaValue function) {
            this.function = function;
        }

        @Override
        public Varargs invoke(Varargs args) {
            Thread me = Thread.currentThread();
            threads.add(me);
            Execution.CURRENT.set(execution);
            org.scriptbox.engine.vm.TableSizes.GUARD.set(execution.budget());
            AllocationMeter meter = AllocationMeter.INSTANCE;
            long cpu0 = meter.currentThreadCpuNanos();
            Budget.Frames frames = execution.budget().frames();
            execution.budget().resumeFrame(frames);
            try {
                return function.invoke(args);
            } catch (LimitBreach e) {
                // Its position and traceback are this coroutine's frames; the resumer's are not added.
                e.freeze();
                throw e;
            } catch (LuaError e) {
                ScriptGlobals.afterTailCall(function, e); // the body's own failed tail call (E3)
                LuaValue value = e.getMessageObject();
                if (value != null && value.type() != LuaValue.TSTRING) {
                    raised = value;
                } else {
                    raised = ErrorMessages.raisedString(e); // a string raised keeps its bytes (E6), or null
                }
                throw e;
            } catch (StackOverflowError e) {
                // Recursion through Java alone (e.g. a __call or __tostring that is itself) never reaches the
                // depth check. Luaj would hand resume() a null message, which reads as success: trip instead.
                throw execution.budget().trip(ErrorKind.LIMIT, "call depth limit exceeded (stack overflow)");
            } finally {
                execution.budget().addAllocated(meter.currentThreadAllocatedBytes() - frames.allocMark);
                frames.allocMark = meter.currentThreadAllocatedBytes();
                synchronized (Coroutines.this) {
                    coroutineCpuNanos += meter.currentThreadCpuNanos() - cpu0;
                }
                Execution.CURRENT.remove();
                org.scriptbox.engine.vm.TableSizes.GUARD.remove();
            }
        }

        /** The raised value once: a dead coroutine resumed again answers with Luaj's own text. */
        synchronized LuaValue takeRaisedValue() {
            LuaValue value = raised;
            raised = null;
            return value;
        }
    }
}
