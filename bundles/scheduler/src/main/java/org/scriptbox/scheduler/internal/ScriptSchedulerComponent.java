package org.scriptbox.scheduler.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptListener;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduledScript;
import org.scriptbox.api.schedule.ScriptScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler service: arms schedules from script metadata by listening to lifecycle events, lets the
 * shell and API set and cancel schedules, and keeps fire times in the bundle's data area
 * ({@code fire-times.properties}) for the misfire policy after a restart, and the schedules set by hand
 * ({@code hand-schedules.properties}) until they are cancelled. The logic is in
 * {@link SchedulerCore}; this class only wires it to OSGi.
 */
@Component(service = {ScriptScheduler.class, ScriptListener.class}, immediate = true,
        configurationPid = ScriptSchedulerComponent.PID)
@Designate(ocd = ScriptSchedulerComponent.Config.class)
public final class ScriptSchedulerComponent implements ScriptScheduler, ScriptListener {
    static final String PID = "org.scriptbox.scheduler";
    private static final Logger LOG = LoggerFactory.getLogger(ScriptSchedulerComponent.class);

    /** For the metatype only: the values are read by {@link SchedulerSettings#read}, which refuses bad ones. */
    @ObjectClassDefinition(name = "scriptbox scheduler",
            description = "When scripts run by themselves. Concurrency and the queue belong to the script manager.")
    public @interface Config {
        @AttributeDefinition(description = "Threads that fire schedules. A fire only hands a run to the script"
                + " manager, so one thread serves thousands of schedules.")
        int timer_threads() default 1;

        @AttributeDefinition(description = "Seconds between saves of the last fire times (also saved on stop) and"
                + " retries of saves that failed. Fires of run_once schedules are saved before their run starts.")
        int save_interval_seconds() default 5;

        @AttributeDefinition(description = "Shortest time between two fires of one schedule, in milliseconds: interval"
                + " and cron schedules that fire more often are refused at deploy and at sched:set.", min = "0")
        long min_interval_ms() default 100;

        @AttributeDefinition(description = "Runs of one parallel schedule that may be under way at once; further"
                + " fires are skipped.", min = "1")
        int max_parallel_runs() default 5;
    }

    private final ScriptManager manager;
    private final ExecutorTimer timer;
    private final ExecutorService saves;
    private final SchedulerCore core;
    private volatile SchedulerSettings settings;
    private ScheduledFuture<?> saving;

    @Activate
    public ScriptSchedulerComponent(@Reference ScriptManager manager, BundleContext context, Map<String, Object> properties) {
        this.manager = manager;
        this.settings = SchedulerSettings.read(properties, SchedulerSettings.DEFAULTS, LOG::error);
        Clock clock = Clock.systemUTC();
        this.timer = new ExecutorTimer(clock, settings.timerThreads());
        this.saves = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "scriptbox-scheduler-saves");
            t.setDaemon(true);
            return t;
        });
        this.core = new SchedulerCore(clock, timer, manager,
                new FireTimeStore(dataFile(context, "fire-times.properties"), PropertiesFile.DURABLE, saves),
                new HandSchedules(dataFile(context, "hand-schedules.properties")), settings.limits());
        saveEvery(settings.saveIntervalSeconds());
        core.armDeployed(manager.list());
        LOG.info("scheduler started: {} schedule(s) armed", core.list().size());
    }

    /** A changed configuration applies in place (armed schedules stay armed); a refused value keeps its old one. */
    @Modified
    void modified(Map<String, Object> properties) {
        SchedulerSettings was = settings;
        SchedulerSettings now = SchedulerSettings.read(properties, was, LOG::error);
        settings = now;
        core.limits(now.limits());
        if (now.timerThreads() != was.timerThreads()) {
            timer.executor().setCorePoolSize(now.timerThreads());
        }
        if (now.saveIntervalSeconds() != was.saveIntervalSeconds()) {
            saveEvery(now.saveIntervalSeconds());
        }
        LOG.info("scheduler: {} timer thread(s), fire times saved every {} s, schedules at most every {} ms, {} parallel runs",
                now.timerThreads(), now.saveIntervalSeconds(), now.limits().minInterval().toMillis(), now.limits().maxParallelRuns());
    }

    private synchronized void saveEvery(long seconds) {
        if (saving != null) {
            saving.cancel(false);
        }
        saving = timer.executor().scheduleWithFixedDelay(core::saveFireTimes, seconds, seconds, TimeUnit.SECONDS);
    }

    /** The settings in force (tests). */
    SchedulerSettings settings() {
        return settings;
    }

    private static Path dataFile(BundleContext context, String name) {
        java.io.File data = context.getDataFile(name);
        return data == null ? null : data.toPath();
    }

    @Deactivate
    void deactivate() {
        core.close();
        timer.shutdown();
        saves.shutdownNow();   // fires still waiting for a save are not started: the container is stopping
    }

    @Override
    public void scriptChanged(ScriptEvent event) {
        core.scriptChanged(event);
    }

    /** @throws IllegalArgumentException for a script that is not deployed, so no schedule is left orphaned */
    @Override
    public ScheduledScript schedule(String scriptName, ScheduleSpec spec) {
        if (scriptName == null || manager.get(scriptName).isEmpty()) {
            throw new IllegalArgumentException("no script named '" + scriptName + "' is deployed");
        }
        return core.schedule(scriptName, spec);
    }

    @Override
    public boolean cancel(String scriptName) {
        return core.cancelByHand(scriptName);
    }

    @Override
    public List<ScheduledScript> list() {
        return core.list();
    }

    @Override
    public Optional<ScheduledScript> get(String scriptName) {
        return core.get(scriptName);
    }

    @Override
    public Optional<String> saveProblem() {
        return core.saveProblem();
    }

    @Override
    public List<Instant> nextFireTimes(ScheduleSpec spec, Instant from, int count) {
        return core.nextFireTimes(spec, from, count);
    }
}
