package org.scriptbox.deployer.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.scriptbox.api.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager calls of the folder (deploy, undeploy, report), one lane per script name: the calls of one name
 * run in the order they were handed over, different names side by side on a few threads. So a script whose
 * compile takes long (FINDINGS F8: a 750 KB chain of {@code or}s took 29 s in Luaj's compiler) holds only its
 * own later versions, never the watcher or the deploys of other scripts.
 * <p>
 * Calls waiting for a thread are taken smallest first (their cost is the text to compile; equal costs in arrival
 * order): eight 750 KB files that each compile for the 2 s CPU bound made a one-line script dropped after them wait
 * 33 s (red-team R16); now it waits at most for the compiles already running.
 */
final class DeployLanes {
    private static final Logger LOG = LoggerFactory.getLogger(DeployLanes.class);

    private final Executor executor;
    private final ExecutorService owned;
    private final AtomicLong arrivals = new AtomicLong();
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    private DeployLanes(Executor executor, ExecutorService owned) {
        this.executor = executor;
        this.owned = owned;
    }

    /** On {@code threads} threads of their own. */
    static DeployLanes threads(int threads) {
        AtomicInteger n = new AtomicInteger();
        // execute() of Ranked tasks only (never submit(), which would wrap them): the queue orders them
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new PriorityBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "scriptbox-deploy-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        return new DeployLanes(pool, pool);
    }

    /** A call waiting for a thread: the cheaper first, then the earlier. */
    private record Ranked(long cost, long arrival, Runnable work) implements Runnable, Comparable<Ranked> {
        @Override
        public void run() {
            work.run();
        }

        @Override
        public int compareTo(Ranked o) {
            return cost != o.cost ? Long.compare(cost, o.cost) : Long.compare(arrival, o.arrival);
        }
    }

    /** On the caller's thread, at once (tests that drive the installer by hand). */
    static DeployLanes inline() {
        return new DeployLanes(Runnable::run, null);
    }

    /** Runs {@code work} after everything handed over before for {@code name}, as a call that costs nothing. */
    void submit(String name, Runnable work) {
        submit(name, 0, work);
    }

    /**
     * Runs {@code work} after everything handed over before for {@code name}; among the calls of all names waiting
     * for a thread, those of lower {@code cost} (characters to compile) go first.
     */
    void submit(String name, long cost, Runnable work) {
        Executor ranked = owned == null ? executor : r -> executor.execute(new Ranked(cost, arrivals.incrementAndGet(), r));
        CompletableFuture<Void>[] mine = new CompletableFuture[1];
        tails.compute(name, (k, tail) -> mine[0] = (tail == null ? CompletableFuture.<Void>completedFuture(null) : tail)
                .thenRunAsync(() -> {
                    try {
                        work.run();
                    } catch (RuntimeException e) {
                        LOG.error("deploying {} failed: {}", SafeText.line(name), SafeText.line(e.toString()), e);
                    }
                }, ranked));
        mine[0].whenComplete((v, e) -> tails.remove(name, mine[0]));
    }

    /** Waits until the calls handed over for {@code name} so far are done (an import then deploys after them). */
    void drain(String name) {
        CompletableFuture<Void> tail = tails.get(name);
        if (tail != null) {
            tail.join();
        }
    }

    /** Lets what was handed over finish (bounded), then stops the threads. */
    void close(long timeoutMillis) {
        CompletableFuture<?>[] all = tails.values().toArray(new CompletableFuture<?>[0]);
        try {
            CompletableFuture.allOf(all).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("deploy folder: {} script(s) still deploying after {} ms; stopping anyway", all.length, timeoutMillis);
        } catch (Exception e) {
            Thread.currentThread().interrupt();
        }
        if (owned != null) {
            owned.shutdownNow();
        }
    }
}
