package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;

/** The container itself: the runtime's bundles all start, and FileInstall feeds ConfigAdmin from etc. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ContainerIT {

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return new Option[] {Distribution.container(Distribution.freshFolder("etc"),
                Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    @Test
    public void infrastructureBundlesAreActive() {
        for (String bsn : List.of("org.apache.felix.scr", "org.apache.felix.configadmin",
                "org.apache.felix.fileinstall", "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.command",
                "org.apache.felix.gogo.jline", "org.ops4j.pax.logging.pax-logging-api")) {
            assertEquals(bsn + " state", "ACTIVE", state(find(bsn)));
        }
    }

    @Test
    public void everyRuntimeBundleResolvesAndStarts() {
        List<String> notActive = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && b.getState() != Bundle.ACTIVE) {
                notActive.add(b.getSymbolicName() + "=" + state(b));
            }
        }
        assertTrue("bundles not active: " + notActive, notActive.isEmpty());
        long ours = List.of(context.getBundles()).stream()
                .filter(b -> b.getSymbolicName().startsWith("org.scriptbox.")).count();
        assertEquals("scriptbox bundles in the runtime", Distribution.runtimeBundles().stream()
                .filter(p -> p.getFileName().toString().startsWith("scriptbox-")).count(), ours);
    }

    @Test
    public void configFileDroppedIntoEtcReachesConfigAdmin() throws Exception {
        Path etc = Paths.get(context.getProperty("felix.fileinstall.dir"));
        Files.writeString(etc.resolve("org.scriptbox.itest.probe.cfg"), "greeting = hello\nanswer = 42\n");
        Object greeting = Await.until("configuration org.scriptbox.itest.probe", Duration.ofSeconds(10),
                () -> property("org.scriptbox.itest.probe", "greeting"), v -> v != null);
        assertEquals("hello", greeting);

        Files.writeString(etc.resolve("org.scriptbox.itest.probe.cfg"), "greeting = changed\n");
        Await.until("changed configuration", Duration.ofSeconds(10),
                () -> property("org.scriptbox.itest.probe", "greeting"), "changed"::equals);
    }

    private Object property(String pid, String key) {
        try {
            org.osgi.service.cm.Configuration[] found = configAdmin.listConfigurations("(service.pid=" + pid + ")");
            if (found == null || found[0].getProperties() == null) {
                return null;
            }
            return found[0].getProperties().get(key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Bundle find(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + bsn + " is not installed");
    }

    private static String state(Bundle b) {
        switch (b.getState()) {
            case Bundle.ACTIVE: return "ACTIVE";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            default: return "UNINSTALLED";
        }
    }
}
