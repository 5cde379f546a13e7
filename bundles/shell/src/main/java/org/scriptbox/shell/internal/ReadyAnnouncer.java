package org.scriptbox.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.apache.felix.gogo.jline.Shell;
import org.jline.reader.LineReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator (and the smoke test, which waits for it) when the container is up: one
 * {@code scriptbox ready} line once the framework has started all bundles, after naming every bundle
 * that failed to resolve together with its missing requirement; and {@code scriptbox stopping} when the framework
 * begins to stop, before any bundle stops, ending the console's prompt then ({@link ConsoleStop}).
 */
@Component(immediate = true)
public class ReadyAnnouncer implements FrameworkListener, SynchronousBundleListener {
    /** The line start-up scripts and the smoke test wait for. */
    static final String READY = "scriptbox ready";

    private static final Logger LOG = LoggerFactory.getLogger(ReadyAnnouncer.class);
    /** The console, if one is open: the ready line goes above its prompt, which is drawn again after it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile LineReader reader;
    /** Gogo's console shell, told to stop at the framework's stop. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile Shell shell;
    private BundleContext context;
    private boolean stopping;
    private boolean announced;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        context.addFrameworkListener(this);
        context.addBundleListener(this);
        if (context.getBundle(0).getState() == Bundle.ACTIVE) {
            announce();   // the framework finished starting before this component
        }
    }

    @Deactivate
    void deactivate() {
        context.removeFrameworkListener(this);
        context.removeBundleListener(this);
        if (context.getBundle(0).getState() == Bundle.STOPPING) {
            announceStopping();   // said once: normally the STOPPING event said it already
        }
    }

    /** The system bundle's STOPPING comes, synchronously, before any bundle is stopped. */
    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == 0) {
            announceStopping();
            ConsoleStop.endReading(reader, shell);
        }
    }

    private synchronized void announceStopping() {
        if (stopping) {
            return;
        }
        stopping = true;
        LOG.info("scriptbox stopping");
        ConsoleLine.print(reader, "scriptbox stopping");
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
