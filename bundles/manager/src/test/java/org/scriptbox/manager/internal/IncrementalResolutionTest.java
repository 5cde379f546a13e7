package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptMetadata;

/**
 * A deploy re-resolves only the changed script and its dependants. Differential check: after every step of a
 * random history (deploys with random dependencies, version ranges, cycles and devices; undeploys; disables;
 * device changes) each script's status, what it waits for and its dependency problem equal what a fresh manager
 * resolving the same final scripts from scratch says.
 */
public class IncrementalResolutionTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<ScriptManagerImpl> started = new ArrayList<>();

    private ScriptManagerImpl manager(String folder) throws Exception {
        ScriptManagerImpl m = new ScriptManagerImpl();
        m.engine = new FakeEngine();
        m.codec = new TomlMetadataCodec();
        m.start(tmp.newFolder(folder).toPath().resolve("stats"), ScriptManagerImplTest.config(4, 10));
        started.add(m);
        return m;
    }

    @After
    public void stop() {
        started.forEach(ScriptManagerImpl::deactivate);
    }

    private static ScriptDefinition def(String name, String version, List<String> deps, List<String> devices) {
        return new ScriptDefinition(new ScriptMetadata(name, version, null, null, null, null, null, List.of(), deps, null,
                null, null, devices), "return 1", name + ".lua");
    }

    private static Map<String, String> view(ScriptManagerImpl m) {
        Map<String, String> v = new TreeMap<>();
        for (ScriptInfo i : m.list()) {
            v.put(i.name(), i.status() + " " + i.waitingFor() + " " + (i.lastError() == null ? "" : i.lastError().message()));
        }
        return v;
    }

    @Test
    public void everyStepAgreesWithAResolutionFromScratch() throws Exception {
        for (long seed = 13; seed < 16; seed++) {
            history(seed);
        }
    }

    private void history(long seed) throws Exception {
        Random random = new Random(seed);
        ScriptManagerImpl m = manager("incremental" + seed);
        Map<String, ScriptDefinition> live = new HashMap<>();
        Set<String> disabled = new HashSet<>();
        Set<String> devices = new HashSet<>();
        int[] versions = new int[12];
        for (int step = 0; step < 300; step++) {
            String name = "s" + random.nextInt(12);
            int what = random.nextInt(10);
            if (what < 6) {
                List<String> deps = new ArrayList<>();
                for (int d = random.nextInt(3); d > 0; d--) {
                    String target = "s" + random.nextInt(12);
                    deps.add(random.nextInt(4) == 0 ? target + " ^" + (1 + random.nextInt(2)) : target);
                }
                List<String> devs = random.nextInt(4) == 0 ? List.of("dev" + random.nextInt(3)) : List.of();
                int i = Integer.parseInt(name.substring(1));
                versions[i] = Math.max(versions[i], 1) + random.nextInt(2);
                ScriptDefinition d = def(name, versions[i] + ".0.0", deps, devs);
                m.deploy(d, false);
                live.put(name, d);
            } else if (what < 8) {
                m.undeploy(name);
                live.remove(name);   // a disabled mark stays with the name: a redeploy comes back disabled
            } else if (what < 9) {
                if (live.containsKey(name)) {
                    boolean off = !disabled.contains(name);
                    m.setEnabled(name, !off);
                    if (off) {
                        disabled.add(name);
                    } else {
                        disabled.remove(name);
                    }
                }
            } else {
                String dev = "dev" + random.nextInt(3);
                if (!devices.remove(dev)) {
                    devices.add(dev);
                }
                m.devicesChanged(Set.copyOf(devices));
            }
            ScriptManagerImpl fresh = manager("fresh" + seed + "-" + step);
            fresh.devicesChanged(Set.copyOf(devices));
            for (ScriptDefinition d : live.values()) {
                fresh.deploy(d, true);
            }
            for (String off : disabled) {
                if (live.containsKey(off)) {
                    fresh.setEnabled(off, false);
                }
            }
            assertEquals("seed " + seed + " step " + step, view(fresh), view(m));
            fresh.deactivate();
            started.remove(fresh);
        }
    }
}
