/**
 * Per-run traces: what each of the last runs of a script did (its host calls with arguments, results and
 * durations, permission denials, rate-limit hits, log lines, how it ended and where), bounded per run and
 * kept across restarts.
 */
@Export
@Version("1.0.0")
package org.scriptbox.api.trace;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
