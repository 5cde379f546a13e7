/** Test support: loopback ports for the servers tests start. */
@Export
@Version("1.0.0")
package org.scriptbox.testsupport.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
