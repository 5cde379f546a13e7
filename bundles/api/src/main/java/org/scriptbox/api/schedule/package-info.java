/** When scripts run by themselves, and the resource monitor that may hold them back. */
@Export
@Version("1.3.0")
package org.scriptbox.api.schedule;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
