/**
 * Reading a component's configuration so that a bad value is refused with one clear line and the
 * current value kept: {@link org.scriptbox.api.config.ConfigReader}. 1.1.0: decimal numbers, flags, refusing activation.
 */
@Export
@Version("1.1.0")
package org.scriptbox.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
