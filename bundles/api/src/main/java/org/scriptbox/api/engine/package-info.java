/**
 * The sandboxed Lua engine as a service, and the whiteboard through which other bundles add
 * functions to the scripts' globals without touching Luaj.
 */
@Export
@Version("1.5.0")
package org.scriptbox.api.engine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
