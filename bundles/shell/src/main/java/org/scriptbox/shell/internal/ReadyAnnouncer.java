package org.scriptbox.shell.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator (and the smoke test, which waits for it) when the container is up: one
 * {@code scriptbox ready} line once the framework has started all bundles, after naming every bundle
 * that failed to resolve together with its missing requirement.
 */
@Component(immediate = true)
public class ReadyAnnouncer implements FrameworkListener {
    /** The line start-up scripts and the smoke test wait for. */
    static final String READY = "scriptbox ready";

    private static final Logger LOG = LoggerFactory.getLogger(ReadyAnnouncer.class);
    /** The process's real stdout: Gogo swaps System.out for its own stream while it starts and stops. */
    private static final PrintStream STDOUT =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    private BundleContext context;
    private boolean announced;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        context.addFrameworkListener(this);
        if (context.getBundle(0).getState() == Bundle.ACTIVE) {
            announce();   // the framework finished starting before this component
        }
    }

    @Deactivate
    void deactivate() {
        context.removeFrameworkListener(this);
        if (context.getBundle(0).getState() == Bundle.STOPPING) {
            LOG.info("scriptbox stopping");
            STDOUT.println("scriptbox stopping");
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.STARTED) {
            announce();
        }
    }

    private synchronized void announce() {
        if (announced) {
            return;
        }
        announced = true;
        List<String> problems = unresolvedBundles();
        problems.forEach(LOG::error);
        String deploy = context.getProperty("scriptbox.deploy");
        int active = 0;
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.ACTIVE) {
                active++;
            }
        }
        String line = READY + ": " + active + " bundles active"
                + (problems.isEmpty() ? "" : ", " + problems.size() + " NOT RESOLVED (see above)")
                + (deploy == null ? "" : ", watching " + deploy);
        LOG.info(line);
        STDOUT.println(line);
    }

    /** One line per bundle that is not resolved, naming what it misses (from the resolver's own message). */
    private List<String> unresolvedBundles() {
        List<String> problems = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() != Bundle.INSTALLED || b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                b.start(Bundle.START_TRANSIENT);
            } catch (BundleException e) {
                problems.add("bundle " + b.getSymbolicName() + " " + b.getVersion() + " is not resolved: "
                        + e.getMessage());
            }
        }
        return problems;
    }
}
