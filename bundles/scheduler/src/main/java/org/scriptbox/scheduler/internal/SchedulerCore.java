package org.scriptbox.scheduler.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ExecutionTrigger;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.schedule.MisfirePolicy;
import org.scriptbox.api.schedule.OverlapPolicy;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduledScript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler without OSGi: which script fires when, what happens to a run that falls due while the
 * previous one still runs (overlap policy), and to runs missed while the container was down (misfire
 * policy). Every run goes through {@link ScriptManager#execute}, which owns the concurrency bound, the
 * queue and the resource gate; a run it refuses as BUSY counts as skipped here.
 *
 * <p>Each armed schedule is one pending task in the {@link TimerService}, not a thread. Fires of
 * different scripts only contend on their own entry's lock; arming and cancelling take the table's lock
 * first. A fire never blocks: {@code execute} returns a promise, and completions (on the manager's
 * threads) only update counters and hand a queued run back to the timer.
 */
public final class SchedulerCore {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerCore.class);
    /** The most fire times {@link #nextFireTimes} lists. */
    static final int MAX_LISTED_FIRES = 1000;

    /** Observes each fire: script, the instant it was due, the instant it actually ran. For benchmarks. */
    public interface FireObserver {
        void fired(String script, Instant due, Instant actual);
    }

    private final Clock clock;
    private final TimerService timer;
    private final ScriptManager manager;
    private final FireTimeStore store;
    private final HandSchedules hand;
    private volatile ScheduleLimits limits;
    private final Instant startedAt;
    private final Map<String, Entry> entries = new HashMap<>();   // guarded by itself
    private volatile FireObserver observer = (s, d, a) -> { };
    private final AtomicLong startFailureWarnings = new AtomicLong();

    SchedulerCore(Clock clock, TimerService timer, ScriptManager manager, FireTimeStore store, HandSchedules hand) {
        this(clock, timer, manager, store, hand, ScheduleLimits.DEFAULTS);
    }

    SchedulerCore(Clock clock, TimerService timer, ScriptManager manager, FireTimeStore store, HandSchedules hand,
                  ScheduleLimits limits) {
        this.clock = clock;
        this.timer = timer;
        this.manager = manager;
        this.store = store;
        this.hand = hand;
        this.limits = limits;
        this.startedAt = clock.instant();
    }

    /** New limits apply to schedules checked and runs fired from now on; armed schedules stay armed. */
    void limits(ScheduleLimits newLimits) {
        limits = newLimits;
    }

    /** WARN lines about scheduled runs that could not start: one per script and reason. */
    long startFailureWarnings() {
        return startFailureWarnings.get();
    }

    void observeFires(FireObserver fireObserver) {
        this.observer = fireObserver == null ? (s, d, a) -> { } : fireObserver;
    }

    /**
     * Follows the scripts' lifecycle: DEPLOYED and UPDATED (re)arm the metadata's schedule, UNRESOLVED
     * disables the schedule, UNDEPLOYED removes it; both of those also cancel the script's running
     * executions. A schedule set by hand wins over the metadata's and comes back with the script (after a
     * redeploy or restart) until it is cancelled by hand. Never throws: a bad schedule is logged with the
     * script's name.
     */
    void scriptChanged(ScriptEvent event) {
        String name = event.script().name();
        try {
            switch (event.type()) {
                case DEPLOYED:
                case UPDATED:
                    armFor(name, event.script().metadata().schedule());
                    break;
                case UNRESOLVED:
                    disable(name);
                    cancelRunning(name);
                    break;
                case UNDEPLOYED:
                    cancel(name);
                    cancelRunning(name);
                    break;
                default:
                    break;   // UPDATE_FAILED: the live version and its schedule stay
            }
        } catch (IllegalArgumentException e) {
            cancel(name);
            LOG.error("script '{}': schedule not armed: {}", name, e.getMessage());
        }
    }

    /** Arms the schedules of scripts already deployed when the scheduler starts (container start-up). */
    void armDeployed(List<ScriptInfo> scripts) {
        for (ScriptInfo info : scripts) {
            ScheduleSpec spec = info.metadata().schedule();
            ScriptStatus status = info.status();
            if (status == ScriptStatus.UNRESOLVED || status == ScriptStatus.COMPILATION_ERROR || status == ScriptStatus.DISABLED
                    || status == ScriptStatus.LOADED) {
                continue;
            }
            try {
                armFor(info.name(), spec);
            } catch (IllegalArgumentException e) {
                LOG.error("script '{}': schedule not armed: {}", info.name(), e.getMessage());
            }
        }
    }

    private void armFor(String name, ScheduleSpec fromMetadata) {
        ScheduleSpec byHand = hand.get(name);
        if (byHand != null) {
            armByHand(name, byHand);
        } else if (fromMetadata != null) {
            armFromMetadata(name, fromMetadata);
        } else {
            cancel(name);
        }
    }

    /** Arms a remembered hand-set schedule, unless it is armed already (a script update keeps it running). */
    private void armByHand(String name, ScheduleSpec spec) {
        Entry e;
        synchronized (entries) {
            e = entries.get(name);
        }
        if (e != null) {
            synchronized (e) {
                if (!e.fromMetadata && e.enabled && e.trigger.spec().equals(spec)) {
                    return;
                }
            }
        }
        Trigger trigger = checkedTrigger(spec);
        arm(name, trigger, firstWithHistory(trigger, store.lastFire(name), clock.instant()), false);
    }

    /**
     * Arms a schedule set by hand (shell, API): starts afresh from now; a ONCE time in the past is refused.
     * It is remembered (a "once after a delay" as the time it falls due, so that it runs once) and re-armed
     * with its script after a redeploy or restart, until {@link #cancelByHand}.
     *
     * @throws IllegalArgumentException with one sentence saying what is wrong with the spec
     */
    ScheduledScript schedule(String name, ScheduleSpec spec) {
        Trigger trigger = checkedTrigger(spec);
        Instant now = clock.instant();
        Instant first = trigger.isReboot() ? now : trigger.first(now);
        if (spec.kind() == ScheduleSpec.Kind.ONCE && first.isBefore(now)) {
            throw new IllegalArgumentException("the time " + first + " is in the past");
        }
        ScheduledScript armed = arm(name, trigger, first, false);
        hand.put(name, spec.kind() == ScheduleSpec.Kind.ONCE && spec.at() == null
                ? new ScheduleSpec(spec.kind(), first, null, null, null, null, spec.overlap(), spec.misfire())
                : spec);
        return armed;
    }

    /** Cancels a script's schedule for good: a hand-set one is forgotten too. */
    boolean cancelByHand(String name) {
        boolean forgotten = hand.remove(name);
        return cancel(name) || forgotten;
    }

    /**
     * Arms the schedule a script's metadata declares, on deploy, update, resolve or container start. The
     * remembered last fire time decides which runs were missed; the spec's misfire policy what to do.
     */
    ScheduledScript armFromMetadata(String name, ScheduleSpec spec) {
        Trigger trigger = checkedTrigger(spec);
        return arm(name, trigger, firstWithHistory(trigger, store.lastFire(name), clock.instant()), true);
    }

    /** A script stopped being runnable (UNRESOLVED): its schedule stays listed but disabled until re-armed. */
    void disable(String name) {
        synchronized (entries) {
            Entry e = entries.get(name);
            if (e != null) {
                synchronized (e) {
                    e.stop();
                }
            }
        }
    }

    /** Removes a script's schedule; runs already started go on (see {@link #cancelRunning}). */
    boolean cancel(String name) {
        Entry e;
        synchronized (entries) {
            e = entries.remove(name);
        }
        if (e == null) {
            return false;
        }
        synchronized (e) {
            e.stop();
        }
        return true;
    }

    /** Cancels the script's running executions through the manager, off the caller's thread. */
    void cancelRunning(String name) {
        timer.at(clock.instant(), () -> {
            int n = manager.cancel(name);
            if (n > 0) {
                LOG.info("cancelled {} running execution(s) of '{}'", n, name);
            }
        });
    }

    List<ScheduledScript> list() {
        List<Entry> all;
        synchronized (entries) {
            all = new ArrayList<>(entries.values());
        }
        List<ScheduledScript> out = new ArrayList<>();
        for (Entry e : all) {
            synchronized (e) {
                out.add(e.view());
            }
        }
        out.sort(Comparator.comparing(ScheduledScript::scriptName));
        return out;
    }

    Optional<ScheduledScript> get(String name) {
        Entry e;
        synchronized (entries) {
            e = entries.get(name);
        }
        if (e == null) {
            return Optional.empty();
        }
        synchronized (e) {
            return Optional.of(e.view());
        }
    }

    List<Instant> nextFireTimes(ScheduleSpec spec, Instant from, int count) {
        // bounded: sched:next -n 2000000000 must not build a list of two billion instants
        return checkedTrigger(spec).upcoming(from, Math.max(0, Math.min(count, MAX_LISTED_FIRES)));
    }

    /** A valid spec's trigger, within the limits (the manager's codec asks through nextFireTimes at deploy). */
    private Trigger checkedTrigger(ScheduleSpec spec) {
        Trigger trigger = Trigger.of(spec);
        limits.check(trigger);
        return trigger;
    }

    /** Writes the remembered fire times and schedules set by hand to disk if they changed or failed before. */
    void saveFireTimes() {
        store.flush();
        hand.retrySave();
    }

    /** One sentence per state file that cannot be saved now (a full disk), for the operator. */
    Optional<String> saveProblem() {
        List<String> problems = new ArrayList<>();
        hand.saveProblem().ifPresent(problems::add);
        store.saveProblem().ifPresent(problems::add);
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    /** Stops every timer and saves the fire history. */
    void close() {
        List<Entry> all;
        synchronized (entries) {
            all = new ArrayList<>(entries.values());
        }
        for (Entry e : all) {
            synchronized (e) {
                e.stop();
            }
        }
        store.flush();
    }

    private ScheduledScript arm(String name, Trigger trigger, Instant first, boolean fromMetadata) {
        synchronized (entries) {
            Entry e = entries.computeIfAbsent(name, Entry::new);
            synchronized (e) {
                e.stop();
                e.trigger = trigger;
                e.fromMetadata = fromMetadata;
                e.enabled = true;
                e.fireCount = 0;
                e.skipped = 0;
                e.lastFire = store.lastFire(name);
                e.nextFire = first;
                e.startTimer();
                LOG.debug("armed '{}': {} next {}", name, trigger.spec().kind(), first);
                return e.view();
            }
        }
    }

    /** The first fire time of a schedule armed from metadata, given when it last fired (or null). */
    private Instant firstWithHistory(Trigger trigger, Instant last, Instant now) {
        ScheduleSpec spec = trigger.spec();
        boolean runOnce = spec.misfire() == MisfirePolicy.RUN_ONCE;
        switch (spec.kind()) {
            case ONCE:
                if (spec.at() == null) {
                    return trigger.first(now);   // "once, after a delay" counts from every arming
                }
                if (last != null && !last.isBefore(spec.at())) {
                    return null;   // already ran
                }
                if (spec.at().isAfter(now)) {
                    return spec.at();
                }
                return runOnce ? now : null;
            case INTERVAL: {
                if (last == null) {
                    return trigger.first(now);
                }
                Instant due = trigger.after(last);   // keeps the cadence across redeploys and restarts
                if (due.isAfter(now)) {
                    return due;
                }
                return runOnce ? now : trigger.nextOnGridAfter(last, now);
            }
            case CRON: {
                if (trigger.isReboot()) {
                    return last == null || last.isBefore(startedAt) ? now : null;
                }
                if (last == null) {
                    return trigger.first(now);
                }
                Instant due = trigger.after(last);
                if (due == null || due.isAfter(now)) {
                    return due;
                }
                return runOnce ? now : trigger.after(now);
            }
            default:
                return null;
        }
    }

    private void fire(Entry e, long generation) {
        Instant due;
        Instant now;
        boolean start = false;
        boolean durable;
        synchronized (e) {
            if (e.generation != generation || !e.enabled || e.nextFire == null) {
                return;   // cancelled or re-armed meanwhile
            }
            now = clock.instant();
            due = e.nextFire;
            e.handle = null;
            if (now.isBefore(due)) {
                e.startTimer();
                return;
            }
            e.lastFire = due;
            e.nextFire = followingFire(e, due, now);
            e.startTimer();
            OverlapPolicy overlap = e.trigger.spec().overlap();
            if (e.running == 0 || overlap == OverlapPolicy.PARALLEL && e.running < limits.maxParallelRuns()) {
                e.running++;
                e.fireCount++;
                start = true;
            } else if (overlap == OverlapPolicy.QUEUE && !e.queued) {
                e.queued = true;
            } else {
                e.skipped++;
                LOG.debug("'{}' still running at {}: run skipped ({})", e.name, due, overlap);
            }
            // run_once makes a lost fire time run again after a crash; so does the first fire of all (an interval
            // without history counts from its arming): both are saved before the run starts
            durable = e.trigger.spec().misfire() == MisfirePolicy.RUN_ONCE || store.lastFire(e.name) == null;
            // Recorded while the entry is held: a stop that sees this fire counted (it takes the same lock)
            // also finds it in the store it flushes. Recorded after the lock, a stop in between lost it.
            store.record(e.name, due);
        }
        observer.fired(e.name, due, now);
        if (durable) {
            boolean launchIt = start;
            store.whenSaved(saved -> {
                if (!launchIt) {
                    return;
                }
                if (saved) {
                    launch(e);
                } else {
                    finished(e, null, true);
                }
            });
        } else if (start) {
            launch(e);
        }
    }

    /** The fire time after {@code due}; if the timer was late by whole periods, those runs count as skipped. */
    private Instant followingFire(Entry e, Instant due, Instant now) {
        Trigger trigger = e.trigger;
        Instant next = trigger.after(due);
        if (next == null || next.isAfter(now)) {
            return next;
        }
        if (trigger.spec().kind() == ScheduleSpec.Kind.INTERVAL) {
            Instant onGrid = trigger.nextOnGridAfter(due, now);
            long periods = Duration.between(due, onGrid).toNanos() / trigger.spec().interval().toNanos();
            e.skipped += periods - 1;
            return onGrid;
        }
        while (next != null && !next.isAfter(now)) {
            e.skipped++;
            next = trigger.after(next);
        }
        return next;
    }

    private void launch(Entry e) {
        Promise<ExecutionResult> run;
        try {
            run = manager.execute(e.name, List.of(), ExecutionTrigger.SCHEDULE);
        } catch (RuntimeException ex) {
            finished(e, ex, false);
            return;
        }
        run.onResolve(() -> finished(e, failureOf(run), false));
    }

    private static Throwable failureOf(Promise<?> resolved) {
        try {
            return resolved.getFailure();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return ex;
        }
    }

    /** A run ended, or (notStarted) was never handed to the manager because its fire could not be saved. */
    private void finished(Entry e, Throwable failure, boolean notStarted) {
        boolean again = false;
        synchronized (e) {
            e.running--;
            if (notStarted
                    || failure instanceof ScriptException && ((ScriptException) failure).kind() == ErrorKind.BUSY) {
                e.fireCount--;
                e.skipped++;
            } else if (failure != null) {
                String why = failure instanceof ScriptException ? failure.getMessage() : "an internal error";
                if (!why.equals(e.startFailure)) {   // one line per condition, not one per fire
                    startFailureWarnings.incrementAndGet();
                    LOG.warn("scheduled runs of '{}' could not start: {} (logged again when the reason changes)",
                            e.name, why);
                    LOG.debug("scheduled run of '{}' could not start", e.name, failure);
                }
                e.startFailure = why;
            } else {
                e.startFailure = null;
            }
            if (e.queued && e.enabled && e.running == 0) {
                e.queued = false;
                e.running++;
                e.fireCount++;
                again = true;
            }
        }
        if (again) {
            timer.at(clock.instant(), () -> launchSaved(e));   // not on the manager's completion thread
        }
    }

    /** Launches a queued run; for run_once only once its fire is on disk (it may still be being written). */
    private void launchSaved(Entry e) {
        boolean runOnce;
        synchronized (e) {
            runOnce = e.trigger.spec().misfire() == MisfirePolicy.RUN_ONCE;
        }
        if (!runOnce) {
            launch(e);
            return;
        }
        store.whenSaved(saved -> {
            if (saved) {
                launch(e);
            } else {
                finished(e, null, true);
            }
        });
    }

    /** One script's schedule and run state; every field guarded by the entry itself. */
    private final class Entry {
        final String name;
        Trigger trigger;
        boolean fromMetadata;
        long generation;
        boolean enabled;
        Instant nextFire;
        Instant lastFire;
        long fireCount;
        long skipped;
        int running;
        boolean queued;
        String startFailure;   // why the last scheduled run could not start, until one starts again
        TimerService.Handle handle;

        Entry(String name) {
            this.name = name;
        }

        void startTimer() {
            if (enabled && nextFire != null) {
                long gen = generation;
                handle = timer.at(nextFire, () -> fire(this, gen));
            }
        }

        void stop() {
            generation++;
            if (handle != null) {
                handle.cancel();
                handle = null;
            }
            enabled = false;
            queued = false;
            nextFire = null;
        }

        ScheduledScript view() {
            return new ScheduledScript(name, trigger.spec(), nextFire, lastFire, fireCount, skipped, enabled);
        }
    }
}
