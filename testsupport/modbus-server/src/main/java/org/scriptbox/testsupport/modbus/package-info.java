/** Test support: the pymodbus fault server as a separate process, with its control channel. */
@Export
@Version("1.0.0")
package org.scriptbox.testsupport.modbus;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
