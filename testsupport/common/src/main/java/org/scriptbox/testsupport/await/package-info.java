/** Test support: bounded waits for conditions. */
@Export
@Version("1.0.0")
package org.scriptbox.testsupport.await;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
