package org.scriptbox.manager.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionTrigger;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;

/**
 * Admission to the execution slots, with a fair share: at most {@link ExecutionCapacity#maxConcurrent}
 * run at once and {@link ExecutionCapacity#queueCapacity} wait; beyond that a run is refused at once
 * with BUSY rather than piling up. Operator runs (shell, API) may use every slot and jump the queue, but
 * one script's runs, whatever started them, hold at most {@link #operatorScriptSlots} slots and its waiting
 * operator runs at most the queue less the newcomers' places: a client that loops API runs of one slow
 * script cannot take every slot from the schedules and the other operators (red team C2).
 * Scheduled runs share what is left fairly between scripts:
 * <ul>
 * <li>they may not use the slots reserved for operators, and each script's scheduled runs hold at most
 * its own share of slots and queue places;</li>
 * <li>a few slots and queue places are kept for scripts that have nothing running (nothing waiting):
 * a script's second and later runs may not take them ({@link #newcomerSlots}, {@link #newcomerPlaces}),
 * so two or three hog scripts together cannot keep a third script's run from starting at once;</li>
 * <li>when a slot frees, the waiting run of the script with the fewest runs going starts (the longest
 * waiting among equals): every script with work gets a turn before any script gets another, so no number
 * of hogs makes a script wait behind a hog's second run.</li>
 * </ul>
 *
 * <p>The counting here is the bound, not the thread pool: a finishing thread takes the next waiting run
 * that may start, so the pool only supplies threads, and idle ones end after a minute.
 */
final class ExecutionGate {
    private final ExecutorService threads;
    private final Object lock = new Object();
    private ExecutionCapacity capacity;
    private int running;
    private final Map<String, Integer> runningPerScript = new HashMap<>();
    private final Map<String, Integer> waitingPerScript = new HashMap<>();
    /** Operator runs waiting, per script (they wait in their own line, {@link #operatorQueue}). */
    private final Map<String, Integer> operatorWaitingPerScript = new HashMap<>();
    /** When each script with runs going or waiting last started one (a count of starts): for round robin. */
    private final Map<String, Long> lastTurn = new HashMap<>();
    private long turns;
    private final ArrayDeque<Admitted> operatorQueue = new ArrayDeque<>();
    private final ArrayDeque<Admitted> scheduledQueue = new ArrayDeque<>();
    private boolean shutDown;

    private record Admitted(String script, ExecutionTrigger trigger, Runnable work) {
    }

    ExecutionGate(ExecutionCapacity capacity) {
        this.capacity = capacity;
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "scriptbox-exec-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
    }

    /** @throws ScriptException BUSY naming the bound that refused it */
    void submit(String script, ExecutionTrigger trigger, Runnable work) {
        Admitted run = new Admitted(script, trigger, work);
        synchronized (lock) {
            if (shutDown) {
                throw busy("rejected: the script manager is stopping");
            }
            if (mayStart(run)) {
                started(run);
            } else {
                enqueue(run);
                return;
            }
        }
        threads.execute(() -> runFrom(run));
    }

    private void enqueue(Admitted run) {
        ExecutionCapacity c = capacity;
        int waiting = operatorQueue.size() + scheduledQueue.size();
        if (run.trigger == ExecutionTrigger.OPERATOR) {
            // operators wait in their own line, as long as the whole queue; they never displace waiting runs
            if (operatorQueue.size() >= c.queueCapacity()) {
                throw busy("rejected: system busy (" + running + " executions running, " + operatorQueue.size() + " of "
                        + c.queueCapacity() + " queue places taken); try again later");
            }
            int own = operatorWaitingPerScript.getOrDefault(run.script, 0);
            if (own >= operatorScriptPlaces(c)) {
                throw busy("rejected: script '" + run.script + "' already has " + runningPerScript.getOrDefault(run.script, 0)
                        + " runs running and " + own + " operator runs waiting; the other " + (c.queueCapacity() - own)
                        + " queue places are kept for other scripts; try again later");
            }
            operatorQueue.addLast(run);
            operatorWaitingPerScript.merge(run.script, 1, Integer::sum);
            return;
        }
        int scriptWaiting = waitingPerScript.getOrDefault(run.script, 0);
        if (scriptWaiting > 0 && scheduledQueue.size() >= c.queueCapacity() - newcomerPlaces(c)) {
            throw busy("rejected: system busy (" + running + " executions running, " + waiting + " of "
                    + c.queueCapacity() + " queue places taken, the last " + newcomerPlaces(c)
                    + " kept for scripts with no run waiting); try again later");
        }
        if (scriptWaiting >= c.scriptQueue()) {
            throw busy("rejected: script '" + run.script + "' already has " + runningPerScript.getOrDefault(run.script, 0)
                    + " runs running and " + scriptWaiting + " waiting, its share (" + c.scriptConcurrent() + " running, "
                    + c.scriptQueue() + " waiting); try again later");
        }
        if (scheduledQueue.size() >= c.queueCapacity()) {
            throw busy("rejected: system busy (" + running + " executions running, " + waiting + " of "
                    + c.queueCapacity() + " queue places taken); try again later");
        }
        scheduledQueue.addLast(run);
        waitingPerScript.merge(run.script, 1, Integer::sum);
    }

    private static ScriptException busy(String message) {
        return new ScriptException(ScriptError.of(ErrorKind.BUSY, message));
    }

    private boolean mayStart(Admitted run) {
        ExecutionCapacity c = capacity;
        int own = runningPerScript.getOrDefault(run.script, 0);
        if (run.trigger == ExecutionTrigger.OPERATOR) {
            return running < c.maxConcurrent() && own < operatorScriptSlots(c);
        }
        int slots = c.maxConcurrent() - c.operatorReserve();
        return own == 0 ? running < slots : own < c.scriptConcurrent() && running < slots - newcomerSlots(c);
    }

    /**
     * Scheduled slots only a script with no run going may take: a quarter of them, at least one when
     * there are two or more (with the defaults, 2 of the 9 slots left by the operators' reserve).
     */
    static int newcomerSlots(ExecutionCapacity c) {
        int slots = c.maxConcurrent() - c.operatorReserve();
        return slots >= 2 ? Math.max(1, slots / 4) : 0;
    }

    /**
     * Slots one script's runs may hold when an operator asks for one more: all but the newcomers' slots (8 of 10
     * with the defaults), and never fewer than the script's scheduled share. So a scheduled run of a script with
     * none going and another operator's run (the reserve) still start at once while one script's API runs pile
     * up; a container configured without a share (per-script bounds = the whole) keeps letting operators use all.
     */
    static int operatorScriptSlots(ExecutionCapacity c) {
        return Math.max(c.scriptConcurrent(), c.maxConcurrent() - newcomerSlots(c));
    }

    /** Operator runs of one script that may wait: all but the newcomers' places (90 of 100), at least its share. */
    static int operatorScriptPlaces(ExecutionCapacity c) {
        return Math.max(c.scriptQueue(), c.queueCapacity() - newcomerPlaces(c));
    }

    /** Queue places only a script with no run waiting may take: a tenth, at least one (10 of 100). */
    static int newcomerPlaces(ExecutionCapacity c) {
        return c.queueCapacity() >= 2 ? Math.max(1, c.queueCapacity() / 10) : 0;
    }

    private void started(Admitted run) {
        running++;
        runningPerScript.merge(run.script, 1, Integer::sum);
        lastTurn.put(run.script, ++turns);
    }

    /** Under the lock: a script with nothing running and nothing waiting is forgotten. */
    private void forgetIfIdle(String script) {
        if (!runningPerScript.containsKey(script) && !waitingPerScript.containsKey(script)
                && !operatorWaitingPerScript.containsKey(script)) {
            lastTurn.remove(script);
        }
    }

    /** Runs the work, then whatever may start next on the same thread, until nothing may. */
    private void runFrom(Admitted first) {
        Admitted run = first;
        while (run != null) {
            try {
                run.work.run();
            } finally {
                run = finishedAndNext(run);
            }
        }
    }

    private Admitted finishedAndNext(Admitted done) {
        Admitted next;
        synchronized (lock) {
            running--;
            runningPerScript.computeIfPresent(done.script, (k, n) -> n == 1 ? null : n - 1);
            forgetIfIdle(done.script);
            next = takeStartable();
            // more may start than this thread can take (the bounds were raised): give them their own threads
            for (Admitted extra = takeStartable(); extra != null; extra = takeStartable()) {
                Admitted go = extra;
                threads.execute(() -> runFrom(go));
            }
        }
        return next;
    }

    /**
     * Under the lock: the waiting run to start now, marked started: operators first, then the run of the
     * script with the fewest runs going, among those the one whose last turn is longest ago (round robin;
     * the longest waiting run of that script), of the runs that may start.
     */
    private Admitted takeStartable() {
        for (java.util.Iterator<Admitted> it = operatorQueue.iterator(); it.hasNext(); ) { // the first that may start
            Admitted op = it.next();
            if (mayStart(op)) {
                it.remove();
                operatorWaitingPerScript.computeIfPresent(op.script, (k, n) -> n == 1 ? null : n - 1);
                started(op);
                return op;
            }
        }
        Admitted best = null;
        int fewest = Integer.MAX_VALUE;
        long bestTurn = Long.MAX_VALUE;
        for (Admitted run : scheduledQueue) { // at most queueCapacity entries
            int own = runningPerScript.getOrDefault(run.script, 0);
            long turn = lastTurn.getOrDefault(run.script, 0L);
            if ((own < fewest || own == fewest && turn < bestTurn) && mayStart(run)) {
                best = run;
                fewest = own;
                bestTurn = turn;
            }
        }
        if (best != null) {
            scheduledQueue.removeFirstOccurrence(best);
            waitingPerScript.computeIfPresent(best.script, (k, n) -> n == 1 ? null : n - 1);
            started(best);
        }
        return best;
    }

    /** New bounds apply at once; runs already started are not affected, waiting ones may start now. */
    void resize(ExecutionCapacity newCapacity) {
        synchronized (lock) {
            capacity = newCapacity;
            for (Admitted run = takeStartable(); run != null; run = takeStartable()) {
                Admitted go = run;
                threads.execute(() -> runFrom(go));
            }
        }
    }

    int active() {
        synchronized (lock) {
            return running;
        }
    }

    int queued() {
        synchronized (lock) {
            return operatorQueue.size() + scheduledQueue.size();
        }
    }

    /**
     * Takes no new work; what was admitted (already cancelled by the caller) still runs to its end, as
     * waiting runs do, quickly, as cancelled. Waits a little for that, then stops the threads.
     */
    void shutdown() {
        synchronized (lock) {
            shutDown = true;
        }
        threads.shutdown();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            threads.shutdownNow();
        }
    }
}
