/** Gogo shell commands and the start-up announcement. Not exported. */
package org.scriptbox.shell.internal;
