package org.scriptbox.itests;

import static org.junit.Assume.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;

/**
 * Deploy benchmark, run only with {@code -Dscriptbox.bench=true}: file drop to compiled-and-listed
 * latency through the real deploy-folder watcher and its quiet period (p50/p99), heap per idle deployed script, and heap after
 * 10,000 reloads (one in ten of them broken) against the baseline. Prints {@code BENCH ...} lines and
 * writes them to target/deploy-bench.txt; results are recorded in docs/manager.md.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeployBenchIT {
    private static final int DROPS = Integer.getInteger("scriptbox.bench.drops", 200);
    private static final int IDLE_SCRIPTS = Integer.getInteger("scriptbox.bench.idle", 2000);
    private static final int FOLDER_SCRIPTS = Integer.getInteger("scriptbox.bench.folder", 1000);
    private static final int RELOADS = Integer.getInteger("scriptbox.bench.reloads", 10_000);

    /** A typical small script: a few functions, a loop, some strings. */
    private static final String SCRIPT = String.join("\n",
            "-- a typical small control script",
            "local limit = tonumber((...)) or 10",
            "local function clamp(x, lo, hi)",
            "  if x < lo then return lo elseif x > hi then return hi end",
            "  return x",
            "end",
            "local readings = {}",
            "for i = 1, limit do",
            "  readings[#readings + 1] = clamp(i * 7 % 13, 2, 11)",
            "end",
            "local sum = 0",
            "for _, v in ipairs(readings) do sum = sum + v end",
            "print(string.format('average %.2f over %d readings', sum / #readings, #readings))",
            "return sum / #readings",
            "");

    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    private final List<String> report = new ArrayList<>();

    @Configuration
    public Option[] config() {
        return new Option[] {ScriptDeployIT.containerWatchingScripts()};
    }

    @Test
    public void deployBenchmark() throws Exception {
        assumeTrue("benchmark: run with -Dscriptbox.bench=true", Boolean.getBoolean("scriptbox.bench"));
        dropToListed();
        heapPerIdleScriptFromTheFolder();
        heapPerIdleScript();
        heapAfterReloads();
        Path out = Paths.get(System.getProperty("scriptbox.runtime", "../runtime")).resolveSibling("itests/target/deploy-bench.txt");
        Files.writeString(out, String.join("\n", report) + "\n");
    }

    private void dropToListed() throws Exception {
        Path folder = ScriptDeployIT.deployFolder(context);
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < DROPS + 10; i++) {
            String name = "drop" + i;
            ScriptDeployIT.write(folder.resolve(name + ".toml"), "version = \"1.0.0\"\npermissions = []\n");
            long start = System.nanoTime();
            ScriptDeployIT.write(folder.resolve(name + ".lua"), SCRIPT);
            while (manager.get(name).map(s -> s.status() != ScriptStatus.COMPILED).orElse(true)) {
                if (System.nanoTime() - start > Duration.ofSeconds(10).toNanos()) {
                    throw new AssertionError(name + " not listed within 10 s");
                }
                Thread.sleep(0, 200_000);
            }
            if (i >= 10) {   // the first few warm up the JIT
                micros.add((System.nanoTime() - start) / 1000);
            }
        }
        Collections.sort(micros);
        print(String.format("BENCH drop->listed (quiet period " + context.getProperty("scriptbox.deploy.quietPeriodMs") + " ms, %d drops): p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                micros.size(), pct(micros, 50) / 1000.0, pct(micros, 99) / 1000.0, micros.get(micros.size() - 1) / 1000.0));
        for (int i = 0; i < DROPS + 10; i++) {
            Files.delete(folder.resolve("drop" + i + ".lua"));
            Files.delete(folder.resolve("drop" + i + ".toml"));
        }
        Await.until("dropped scripts undeployed", Duration.ofSeconds(30), () -> manager.list().isEmpty());
    }

    /** Everything a script in the folder costs: the deployer's digest, the manager, the engine. */
    private void heapPerIdleScriptFromTheFolder() throws Exception {
        Path folder = ScriptDeployIT.deployFolder(context);
        int n = FOLDER_SCRIPTS;
        long before = usedHeap();
        for (int i = 0; i < n; i++) {
            Files.writeString(folder.resolve("folder" + i + ".toml"), "version = \"1.0.0\"\npermissions = []\n");
            Files.writeString(folder.resolve("folder" + i + ".lua"), SCRIPT.replace("typical", "typical " + i));
        }
        long start = System.nanoTime();
        Await.until(n + " scripts listed", Duration.ofMinutes(2), () -> manager.list().size(), size -> size >= n);
        print(String.format("BENCH %d scripts written at once into the folder: all listed after %.1f s", n,
                (System.nanoTime() - start) / 1e9));
        long after = usedHeap();
        print(String.format("BENCH heap per idle script deployed through the folder (%d scripts, deployer + manager + engine): %.1f KB",
                n, (after - before) / 1024.0 / n));
        for (int i = 0; i < n; i++) {
            Files.delete(folder.resolve("folder" + i + ".lua"));
            Files.delete(folder.resolve("folder" + i + ".toml"));
        }
        Await.until("folder scripts undeployed", Duration.ofMinutes(1), () -> manager.list().isEmpty());
    }

    private void heapPerIdleScript() {
        long before = usedHeap();
        for (int i = 0; i < IDLE_SCRIPTS; i++) {
            manager.deploy(new ScriptDefinition(ScriptMetadata.defaults("idle" + i), SCRIPT.replace("typical", "typical " + i),
                    "bench"), false);
        }
        long after = usedHeap();
        print(String.format("BENCH heap per idle deployed script (%d scripts of %d bytes, via ScriptManager.deploy): %.1f KB",
                IDLE_SCRIPTS, SCRIPT.length(), (after - before) / 1024.0 / IDLE_SCRIPTS));
        for (int i = 0; i < IDLE_SCRIPTS; i++) {
            manager.undeploy("idle" + i);
        }
    }

    private void heapAfterReloads() {
        manager.deploy(new ScriptDefinition(ScriptMetadata.defaults("reloaded"), SCRIPT, "bench"), false);
        long baseline = usedHeap();
        int failed = 0;
        for (int i = 0; i < RELOADS; i++) {
            String source = i % 10 == 9 ? "return (" + i : SCRIPT.replace("typical", "reload " + i);
            try {
                manager.deploy(new ScriptDefinition(ScriptMetadata.defaults("reloaded"), source, "bench"), false);
            } catch (ScriptException e) {
                failed++;
            }
        }
        long after = usedHeap();
        print(String.format("BENCH heap after %d reloads (%d of them failed compiles): baseline %.1f MB, after %.1f MB, delta %+.1f KB",
                RELOADS, failed, baseline / 1048576.0, after / 1048576.0, (after - baseline) / 1024.0));
        manager.undeploy("reloaded");
    }

    private void print(String line) {
        System.out.println(line);
        report.add(line);
    }

    private static long pct(List<Long> sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    /** Heap in use after full collections; repeated until two readings agree within 1%. */
    private static long usedHeap() {
        var memory = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - last) < last / 100) {
                return used;
            }
            last = used;
        }
        return last;
    }
}
