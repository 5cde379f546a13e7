package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;

/** The script-bundle extender with the example script bundle (bundles/example-scripts). */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScriptBundleIT {
    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    @Configuration
    public Option[] config() {
        return new Option[] {ScriptDeployIT.containerWatchingScripts()};
    }

    static Path exampleBundle() throws IOException {
        Path target = Distribution.runtimeHome().resolveSibling("bundles/example-scripts/target");
        try (Stream<Path> jars = Files.list(target)) {
            return jars.filter(p -> p.getFileName().toString().matches("scriptbox-example-scripts-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("example script bundle not built in " + target));
        }
    }

    @Test
    public void scriptsComeAndGoWithTheirBundle() throws Exception {
        Bundle bundle = context.installBundle(exampleBundle().toUri().toString());
        try {
            bundle.start();
            ScriptDeployIT.awaitStatus(manager, "greet", ScriptStatus.COMPILED);
            assertTrue(manager.get("textutil").get().origin().startsWith("bundle:org.scriptbox.example.scripts/"));
            assertEquals(List.of("HELLO, ADA!"), ScriptDeployIT.run(manager, "greet", "Ada").values());

            bundle.stop();
            Await.until("the bundle's scripts undeployed", ScriptDeployIT.BOUND,
                    () -> manager.get("greet").isEmpty() && manager.get("textutil").isEmpty());

            bundle.start();
            ScriptDeployIT.awaitStatus(manager, "greet", ScriptStatus.COMPILED);
        } finally {
            bundle.uninstall();
        }
        Await.until("scripts gone with the uninstalled bundle", ScriptDeployIT.BOUND, () -> manager.get("greet").isEmpty());
    }
}
