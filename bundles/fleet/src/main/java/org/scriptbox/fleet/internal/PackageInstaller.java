package org.scriptbox.fleet.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.deploy.ScriptFolder;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.fleet.internal.PackageLedger.Undo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a package's scripts in place through the deploy folder (the folder stays the source of truth, so
 * they are live again after a restart), all or nothing: every script is validated before any is
 * written, and when one is refused the ones already written go back to what they were.
 */
final class PackageInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(PackageInstaller.class);
    private final ScriptManager manager;
    private final ScriptFolder folder;
    private final MetadataCodec codec;

    PackageInstaller(ScriptManager manager, ScriptFolder folder, MetadataCodec codec) {
        this.manager = manager;
        this.folder = folder;
        this.codec = codec;
    }

    /** What the package's scripts are now, to put back on a rollback. */
    List<Undo> snapshot(FleetPackage pkg) {
        List<Undo> undo = new ArrayList<>();
        for (PackageScript s : pkg.scripts()) {
            Optional<ScriptDefinition> live = manager.definition(s.name());
            undo.add(live.map(d -> new Undo(s.name(), true, d.source(), codec.format(d.metadata())))
                    .orElseGet(() -> new Undo(s.name(), false, null, null)));
        }
        return undo;
    }

    /**
     * @throws Refusal BAD_SCRIPT (metadata or validation, naming file:line:column) or DEPLOY_FAILED; then
     *         nothing changed
     */
    void apply(FleetPackage pkg, String origin, List<Undo> undo) {
        List<ScriptDefinition> definitions = new ArrayList<>();
        for (PackageScript s : pkg.scripts()) {
            ScriptDefinition d = definition(s.name(), s.lua(), s.toml(), origin);
            List<ScriptError> errors = manager.validate(d);
            if (!errors.isEmpty()) {
                throw new Refusal("BAD_SCRIPT", "script '" + s.name() + "': " + errors.get(0));
            }
            definitions.add(d);
        }
        List<Undo> done = new ArrayList<>();
        for (int i = 0; i < definitions.size(); i++) {
            try {
                folder.install(definitions.get(i), true);   // the package version is the guard, not the script's
                done.add(undo.get(i));
            } catch (ScriptException e) {
                restore(done);
                throw new Refusal("DEPLOY_FAILED", "script '" + definitions.get(i).name() + "': " + e.error());
            }
        }
    }

    /** Puts the scripts back as {@link #snapshot} saw them (in reverse order of the apply). */
    void restore(List<Undo> undo) {
        for (int i = undo.size() - 1; i >= 0; i--) {
            Undo u = undo.get(i);
            try {
                if (u.existed()) {
                    folder.install(definition(u.name(), u.lua(), u.toml(), "fleet rollback"), true);
                } else {
                    remove(u.name());
                }
            } catch (ScriptException e) {
                LOG.error("fleet: could not put script '{}' back: {}", u.name(), e.error());
            }
        }
    }

    /**
     * Through the deployer's folder, with its rules: its files leave the folder first (the watcher brings
     * nothing back), then the live script; a script another source deployed (a bundle) is refused, as over REST.
     */
    boolean remove(String name) {
        checkName(name);
        return folder.remove(name);
    }

    /** The scripts' name rule (the manager's: letters, digits, {@code _ . -}), before any path is made of it. */
    static void checkName(String name) {
        if (!org.scriptbox.api.fleet.FleetTopics.validId(name)) {
            throw new Refusal("BAD_NAME", "'" + Texts.clip(name) + "' is not a script name (letters, digits, _ . -; at most 64)");
        }
    }

    private ScriptDefinition definition(String name, String lua, String toml, String origin) {
        checkName(name);
        ScriptMetadata metadata;
        try {
            metadata = toml == null ? ScriptMetadata.defaults(name) : codec.parse(toml, name + ".toml", name, new ArrayList<>());
        } catch (ScriptException e) {
            throw new Refusal("BAD_SCRIPT", "script '" + name + "': " + e.error());
        }
        if (!metadata.name().equals(name)) {
            throw new Refusal("BAD_SCRIPT", "script '" + name + "': its metadata names it '" + metadata.name() + "'");
        }
        return new ScriptDefinition(metadata, lua, origin);
    }
}
