package org.scriptbox.manager.internal;

import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Test;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptMetadata;

/**
 * What resolution costs when many scripts arrive at once (issue 13: "every deploy re-resolves all scripts"):
 * N scripts deployed one after another through the manager, with a stand-in engine so that compiling costs
 * nothing and the figure is the manager's own deploy path, resolution included. Shapes: independent scripts,
 * a star (all depend on one base), a chain. Prints {@code BENCH} lines; runs only with -Dscriptbox.bench=true:
 *
 * <pre>mvn -B -o -pl bundles/manager -am test -Dscriptbox.bench=true -Dtest=DeployResolveBench -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
public class DeployResolveBench {
    private static final int[] SIZES = {1_000, 10_000};

    @Test
    public void manyScriptsDeployedAtOnce() throws Exception {
        assumeTrue(Boolean.getBoolean("scriptbox.bench"));
        for (int round = 1; round <= 2; round++) {
            for (int n : SIZES) {
                for (String shape : List.of("independent", "star", "chain")) {
                    measure(round, n, shape);
                }
            }
        }
    }

    private static ScriptDefinition def(String name, List<String> deps) {
        return new ScriptDefinition(new ScriptMetadata(name, "1.0.0", null, null, null, null, null, List.of(), deps, null,
                null, null), "return 1", name + ".lua");
    }

    private static void measure(int round, int n, String shape) throws Exception {
        Path tmp = Files.createTempDirectory("deploy-resolve-bench");
        ScriptManagerImpl m = new ScriptManagerImpl();
        m.engine = new FakeEngine();
        m.codec = new TomlMetadataCodec();
        m.start(tmp.resolve("stats"), ScriptManagerImplTest.config(4, 10));
        try {
            if (!shape.equals("independent")) {
                m.deploy(def("s0", List.of()), false);
            }
            long start = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                List<String> deps = switch (shape) {
                    case "star" -> List.of("s0");
                    case "chain" -> List.of("s" + (i - 1));
                    default -> List.of();
                };
                m.deploy(def("s" + i, deps), false);
            }
            double ms = (System.nanoTime() - start) / 1e6;
            long live = m.list().stream().filter(i -> i.status() == org.scriptbox.api.ScriptStatus.COMPILED).count();
            System.out.printf("BENCH round %d: %d scripts (%s) deployed one after another: all live after %.0f ms (%.1f µs per deploy), %d live%n",
                    round, n, shape, ms, ms * 1000 / n, live);
        } finally {
            m.deactivate();
        }
    }
}
