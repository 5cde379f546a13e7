package org.scriptbox.scheduler.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.config.ConfigReader;
import org.scriptbox.api.schedule.ExecutionLoad;
import org.scriptbox.api.schedule.ResourceMonitor;
import org.scriptbox.api.schedule.ResourceSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real resource monitor: samples process CPU load ({@code com.sun.management.OperatingSystemMXBean}),
 * heap use and live threads on its own daemon thread, and answers {@link #admitsNewExecution()} from the
 * latest sample with a volatile read, because the script manager asks before every execution.
 * Executions in progress and queued come from the manager's {@link ExecutionLoad} service when it has
 * one, else from the running counts of {@link ScriptManager#list()} (queue depth then unknown: 0).
 * Per-execution CPU time and allocation are measured by the engine and reported in each result.
 */
@Component(service = ResourceMonitor.class, immediate = true, configurationPid = ResourceMonitorComponent.PID)
@Designate(ocd = ResourceMonitorComponent.Config.class)
public final class ResourceMonitorComponent implements ResourceMonitor {
    static final String PID = "org.scriptbox.resources";
    private static final Logger LOG = LoggerFactory.getLogger(ResourceMonitorComponent.class);

    @ObjectClassDefinition(name = "scriptbox resource monitor",
            description = "Thresholds above which the script manager refuses new executions (BUSY).")
    public @interface Config {
        @AttributeDefinition(description = "Process CPU load (0..1, share of all cores) above which new"
                + " executions are refused once it lasts cpu.samples samples; 1 disables the check.")
        double max_cpu_load() default 0.95;

        @AttributeDefinition(description = "Samples in a row the CPU load must exceed max.cpu.load.")
        int cpu_samples() default 3;

        @AttributeDefinition(description = "Heap in use as a fraction of the maximum heap above which new"
                + " executions are refused once it lasts heap.samples samples; 1 disables the check.")
        double max_heap_fraction() default 0.9;

        @AttributeDefinition(description = "Samples in a row the heap must exceed max.heap.fraction (garbage"
                + " counts as used until the next collection).")
        int heap_samples() default 2;

        @AttributeDefinition(description = "Milliseconds between samples.")
        int sample_interval_ms() default 500;
    }

    private volatile LoadGate gate;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final ScheduledExecutorService sampler;
    private volatile ResourceSnapshot latest;
    private volatile String reason = "";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ExecutionLoad executionLoad;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ScriptManager manager;

    /**
     * The monitor's configuration, read from the raw properties: a bad value is refused with one line and the
     * current one kept.
     */
    record Settings(double maxCpuLoad, int cpuSamples, double maxHeapFraction, int heapSamples, int sampleIntervalMs) {
        static final Settings DEFAULTS = new Settings(0.95, 3, 0.9, 2, 500);

        static Settings read(Map<String, ?> properties, Settings current) {
            ConfigReader r = new ConfigReader(PID, properties);
            Settings d = DEFAULTS;
            Settings s = new Settings(r.doubleBetween("max.cpu.load", 0, 1, d.maxCpuLoad, current.maxCpuLoad),
                    r.intBetween("cpu.samples", 1, 1000, d.cpuSamples, current.cpuSamples),
                    r.doubleBetween("max.heap.fraction", 0, 1, d.maxHeapFraction, current.maxHeapFraction),
                    r.intBetween("heap.samples", 1, 1000, d.heapSamples, current.heapSamples),
                    r.intBetween("sample.interval.ms", 50, 60_000, d.sampleIntervalMs, current.sampleIntervalMs));
            r.refusals().forEach(LOG::error);
            return s;
        }

        LoadGate gate() {
            return new LoadGate(maxCpuLoad, maxHeapFraction, cpuSamples, heapSamples);
        }
    }

    private volatile Settings settings;

    /** For the metatype only, {@link Config}; the values are read by {@link Settings#read}. */
    @Activate
    public ResourceMonitorComponent(Map<String, Object> properties) {
        this.settings = Settings.read(properties, Settings.DEFAULTS);
        this.gate = settings.gate();
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scriptbox-resource-monitor");
            t.setDaemon(true);
            return t;
        });
        sample();
        long every = settings.sampleIntervalMs();
        sampler.scheduleWithFixedDelay(this::sampleSafely, every, every, TimeUnit.MILLISECONDS);
        LOG.info("resource monitor: refusing new executions above CPU {} for {} samples or heap {}",
                settings.maxCpuLoad(), settings.cpuSamples(), settings.maxHeapFraction());
    }

    /**
     * New thresholds apply in place, without re-registering the service, so the manager never runs
     * without a monitor while the operator edits etc/org.scriptbox.resources.cfg. The sampling period
     * changes on the next restart of the component.
     */
    @Modified
    void modified(Map<String, Object> properties) {
        settings = Settings.read(properties, settings);
        gate = settings.gate();
        sampler.execute(this::sampleSafely);
        LOG.info("resource monitor: thresholds now CPU {} for {} samples, heap {}",
                settings.maxCpuLoad(), settings.cpuSamples(), settings.maxHeapFraction());
    }

    /** The settings in force (tests). */
    Settings settings() {
        return settings;
    }

    @Deactivate
    void deactivate() {
        sampler.shutdownNow();
    }

    @Override
    public ResourceSnapshot snapshot() {
        ResourceSnapshot s = latest;
        int[] load = executions();   // always current: cheap counters
        return new ResourceSnapshot(s.processCpuLoad(), s.heapUsedBytes(), s.heapMaxBytes(), load[0], load[1],
                s.liveThreads(), s.overloaded());
    }

    @Override
    public boolean admitsNewExecution() {
        return !latest.overloaded();
    }

    /** Why new executions are refused now, or the empty string. */
    String overloadReason() {
        return reason;
    }

    private void sampleSafely() {
        try {
            sample();
        } catch (RuntimeException e) {
            LOG.warn("resource sample failed: {}", e.toString());
        }
    }

    private synchronized void sample() {
        double cpu = os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuLoad() : -1;
        MemoryUsage heap = memory.getHeapMemoryUsage();
        boolean wasOverloaded = latest != null && latest.overloaded();
        LoadGate g = gate;
        boolean overloaded = g.overloaded(cpu, heap.getUsed(), heap.getMax());
        reason = overloaded ? g.reason(cpu, heap.getUsed(), heap.getMax()) : "";
        int[] load = latest == null ? new int[2] : executions();
        latest = new ResourceSnapshot(cpu, heap.getUsed(), heap.getMax(), load[0], load[1], threads.getThreadCount(),
                overloaded);
        if (overloaded != wasOverloaded) {
            if (overloaded) {
                LOG.warn("overloaded ({}): new executions are refused until load drops", reason);
            } else {
                LOG.info("load back under the thresholds: new executions admitted again");
            }
        }
    }

    private int[] executions() {
        ExecutionLoad load = executionLoad;
        if (load != null) {
            return new int[] {load.activeExecutions(), load.queuedExecutions()};
        }
        ScriptManager m = manager;
        if (m == null) {
            return new int[2];
        }
        int running = 0;
        for (ScriptInfo info : m.list()) {
            running += info.running();
        }
        return new int[] {running, 0};
    }
}
