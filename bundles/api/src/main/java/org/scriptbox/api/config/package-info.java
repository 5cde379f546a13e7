/**
 * Reading a component's configuration so that a bad value is refused with one clear line and the
 * current value kept: {@link org.scriptbox.api.config.ConfigReader}.
 */
@Export
@Version("1.0.0")
package org.scriptbox.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
