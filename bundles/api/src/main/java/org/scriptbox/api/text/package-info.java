/**
 * Text on its way to an operator: {@link org.scriptbox.api.text.SafeText} neutralises what a script
 * could use to forge log lines or drive a terminal; {@link org.scriptbox.api.text.OncePerInterval} keeps
 * a looping script from repeating a line; {@link org.scriptbox.api.text.LuaNumbers} writes numbers as Lua does.
 */
@Export
@Version("1.3.0")
package org.scriptbox.api.text;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
