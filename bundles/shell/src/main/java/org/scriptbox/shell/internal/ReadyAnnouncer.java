package org.scriptbox.shell.internal;

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
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.jline.reader.LineReader;
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
    /** The console, if one is open: the ready line goes above its prompt, which is drawn again after it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile LineReader reader;
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
            ConsoleLine.print(reader, "scriptbox stopping");
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
        ConsoleLine.print(reader, line);
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
