/**
 * Scripts as the container sees them: metadata, status, results, statistics, errors and the
 * {@link org.scriptbox.api.ScriptManager} that owns their lifecycle.
 */
@Export
@Version("1.8.0")
package org.scriptbox.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
