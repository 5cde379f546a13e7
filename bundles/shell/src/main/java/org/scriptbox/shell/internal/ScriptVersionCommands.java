package org.scriptbox.shell.internal;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptRevision;
import org.scriptbox.api.text.SafeText;

/**
 * The version commands: script:history, script:diff, script:rollback, script:enable, script:disable.
 * A rollback goes through the deploy folder (the manager writes the version back there), so the folder
 * stays the source of truth.
 */
@Component(service = ScriptVersionCommands.class)
@GogoCommand(scope = "script", function = {"history", "diff", "rollback", "enable", "disable"})
public class ScriptVersionCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final ScriptManager manager;
    private final MetadataCodec codec;

    @Activate
    public ScriptVersionCommands(@Reference ScriptManager manager, @Reference MetadataCodec codec) {
        this.manager = manager;
        this.codec = codec;
    }

    @Descriptor("lists the kept versions of a script, newest first: number, version, when, from where; * marks the live one")
    public String history(@Descriptor("script name") String name) {
        List<ScriptRevision> kept = manager.history(name);
        if (kept.isEmpty()) {
            return "no kept versions of a script named '" + SafeText.line(name) + "'";
        }
        ScriptTable t = new ScriptTable("", "#", "VERSION", "DEPLOYED", "FROM");
        for (ScriptRevision r : kept) {
            t.row(r.live() ? "*" : "", r.number(), SafeText.line(r.version()), TIME.format(r.deployedAt()), SafeText.line(r.origin()));
        }
        return t.toString();
    }

    @Descriptor("shows what changed between two kept versions of a script (numbers from script:history)")
    public String diff(@Descriptor("script name") String name, @Descriptor("older version number") int from,
                       @Descriptor("newer version number") int to) {
        Optional<ScriptDefinition> a = manager.revision(name, from);
        Optional<ScriptDefinition> b = manager.revision(name, to);
        if (a.isEmpty() || b.isEmpty()) {
            return "script '" + SafeText.line(name) + "' has no kept version " + (a.isEmpty() ? from : to)
                    + " (script:history " + SafeText.line(name) + " lists them)";
        }
        String lua = LineDiff.diff(a.get().source(), b.get().source());
        String toml = LineDiff.diff(codec.format(a.get().metadata()), codec.format(b.get().metadata()));
        if (lua.isEmpty() && toml.isEmpty()) {
            return "versions " + from + " and " + to + " of '" + SafeText.line(name) + "' are the same";
        }
        StringBuilder sb = new StringBuilder();
        if (!lua.isEmpty()) {
            sb.append("--- ").append(name).append(".lua #").append(from).append('\n')
                    .append("+++ ").append(name).append(".lua #").append(to).append('\n').append(lua);
        }
        if (!toml.isEmpty()) {
            sb.append("--- ").append(name).append(".toml #").append(from).append('\n')
                    .append("+++ ").append(name).append(".toml #").append(to).append('\n').append(toml);
        }
        return sb.toString();
    }

    @Descriptor("makes the version before the live one live again: writes it to the deploy folder and deploys it")
    public String rollback(@Descriptor("script name") String name) {
        return rollback(name, null);
    }

    @Descriptor("makes a kept version live again: writes it to the deploy folder and deploys it")
    public String rollback(@Descriptor("script name") String name,
                           @Descriptor("version number from script:history, or a semantic version") String version) {
        try {
            ScriptInfo info = manager.rollback(name, version);
            return "rolled '" + SafeText.line(name) + "' back to version " + SafeText.line(info.metadata().version())
                    + " (written to " + SafeText.line(String.valueOf(info.origin())) + "): " + info.status();
        } catch (ScriptException e) {
            return "rollback failed, nothing changed: " + SafeText.line(e.getMessage());
        }
    }

    @Descriptor("lets a disabled script run again (kept across restarts)")
    public String enable(@Descriptor("script name") String name) {
        return setEnabled(name, true);
    }

    @Descriptor("stops a script from running: cancels its runs, pauses its schedule, refuses new runs (kept across restarts)")
    public String disable(@Descriptor("script name") String name) {
        return setEnabled(name, false);
    }

    private String setEnabled(String name, boolean enabled) {
        try {
            ScriptInfo info = manager.setEnabled(name, enabled);
            return "script '" + SafeText.line(name) + "' " + (enabled ? "enabled" : "disabled") + ": " + info.status();
        } catch (ScriptException e) {
            return SafeText.line(e.getMessage());
        }
    }
}
