package org.scriptbox.manager.internal;

import java.time.Instant;
import java.util.List;

import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.engine.CompiledScript;

/**
 * One deployed version of a script: its metadata (hence limits, permissions, devices, schedule), the
 * code compiled from its source and the dependencies parsed from its metadata, made together by one
 * deploy and never changed. A run captures one of these once, so it can never pair one version's
 * metadata with another's code.
 */
record ScriptVersion(ScriptDefinition definition, CompiledScript compiled, SemVer version,
                     List<Dependency> dependencies, Instant deployedAt) {
    ScriptVersion {
        dependencies = List.copyOf(dependencies);
    }

    ScriptMetadata metadata() {
        return definition.metadata();
    }
}
