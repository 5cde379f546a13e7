/** FileInstall ArtifactInstaller for .lua/.toml pairs and the script-bundle extender. Not exported. */
package org.scriptbox.deployer.internal;
