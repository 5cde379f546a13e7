package org.scriptbox.deployer.internal;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the deploy folder is watched, from framework properties (conf/config.properties), so that they hold
 * from the first scan on and never restart the installer:
 * <ul>
 * <li>{@code scriptbox.deploy}: the folder;</li>
 * <li>{@code scriptbox.deploy.quietPeriodMs} (default 300): how long a script's files must stand still,
 *     seen unchanged by separate scans, before that version goes live;</li>
 * <li>{@code scriptbox.deploy.pollMs} (default 100): how often pending files are looked at;</li>
 * <li>{@code scriptbox.deploy.rescanMs} (default 10000): the safety-net full listing, for file systems
 *     that deliver no change events.</li>
 * </ul>
 *
 * @param folder the deploy folder, or null when none is configured
 */
record DeploySettings(Path folder, long quietPeriodMillis, long pollMillis, long rescanMillis) {
    static final long DEFAULT_QUIET_MS = 300;
    static final long DEFAULT_POLL_MS = 100;
    static final long DEFAULT_RESCAN_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(DeploySettings.class);

    static DeploySettings from(BundleContext context) {
        String folder = context == null ? null : context.getProperty("scriptbox.deploy");
        return new DeploySettings(folder == null || folder.isBlank() ? null : Paths.get(folder),
                millis(context, "scriptbox.deploy.quietPeriodMs", DEFAULT_QUIET_MS, 0, 60_000),
                millis(context, "scriptbox.deploy.pollMs", DEFAULT_POLL_MS, 10, 10_000),
                millis(context, "scriptbox.deploy.rescanMs", DEFAULT_RESCAN_MS, 1_000, 3_600_000));
    }

    /** A bad value is one clear line and the default, never a stack trace. */
    static long millis(BundleContext context, String key, long fallback, long min, long max) {
        String value = context == null ? null : context.getProperty(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long v = Long.parseLong(value.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warn("{} = \"{}\" is not a number of milliseconds from {} to {}; using {}", key, value, min, max, fallback);
        return fallback;
    }
}
