/**
 * The deploy folder as a service: import a script into it, export one out of it. The folder is the source
 * of truth for folder scripts; the manager itself reads and writes no files outside its data area.
 */
@Export
@Version("1.1.0")
package org.scriptbox.api.deploy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
