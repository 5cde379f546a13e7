/** The deploy folder (watcher, quiet-period gate, installer, import/export) and the script-bundle extender. Not exported. */
package org.scriptbox.deployer.internal;
