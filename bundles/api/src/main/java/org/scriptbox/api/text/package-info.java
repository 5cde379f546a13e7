/**
 * Text on its way to an operator: {@link org.scriptbox.api.text.SafeText} neutralises what a script
 * could use to forge log lines or drive a terminal.
 */
@Export
@Version("1.0.0")
package org.scriptbox.api.text;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
