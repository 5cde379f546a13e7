/** Permissions scripts request and the operator's policy that grants them. */
@Export
@Version("1.0.0")
package org.scriptbox.api.security;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
