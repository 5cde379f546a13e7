/** Test support: a small file system to fill, for tests of what a full disk does. */
@Export
@Version("1.0.0")
package org.scriptbox.testsupport.disk;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
