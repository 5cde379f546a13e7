/** Test support: a throw-away PKI for TLS brokers and clients. */
@Export
@Version("1.0.0")
package org.scriptbox.testsupport.pki;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
