/**
 * Script tests: a script's {@code NAME_test.lua} run against mock devices with a virtual clock, in the script's
 * own sandbox and limits, never live and never near a real device ({@code script:test}).
 */
@Export
@Version("1.0.0")
package org.scriptbox.api.testing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
