package org.scriptbox.shell.internal;

import org.scriptbox.shell.command.ShellCommand;
import org.scriptbox.shell.command.ShellCommands;
import org.scriptbox.shell.command.Usage;
import org.scriptbox.shell.command.UsageError;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
@Component(service = {})
public class ScriptVersionCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final ScriptManager manager;
    private final MetadataCodec codec;
    private final ShellCommands registered;

    @Activate
    public ScriptVersionCommands(@Reference ScriptManager manager, @Reference MetadataCodec codec, BundleContext context) {
        this.manager = manager;
        this.codec = codec;
        this.registered = ShellCommands.register(context, commands());
    }

    @Deactivate
    void deactivate() {
        registered.unregister();
    }

    List<ShellCommand> commands() {
        return List.of(
                new ShellCommand(Usage.of("script:history", "lists the kept versions of a script, newest first (* marks the live one)")
                        .withArgument("NAME", "script name").withExample("script:history ramp"), (s, a) -> history(a.text("NAME"))),
                new ShellCommand(Usage.of("script:diff", "shows what changed between two kept versions of a script")
                        .withArgument("NAME", "script name").withArgument("FROM", "older version number (script:history)")
                        .withArgument("TO", "newer version number").withExample("script:diff ramp 1 2"),
                        (s, a) -> diff(a.text("NAME"), number(a.text("FROM")), number(a.text("TO")))),
                new ShellCommand(Usage.of("script:rollback", "makes a kept version live again (default: the one before the live one)")
                        .withArgument("NAME", "script name")
                        .withOptionalArgument("VERSION", "version number from script:history, or a semantic version")
                        .withExample("script:rollback ramp 2"), (s, a) -> rollback(a.text("NAME"), a.text("VERSION"))),
                new ShellCommand(Usage.of("script:enable", "lets a disabled script run again (kept across restarts)")
                        .withArgument("NAME", "script name").withExample("script:enable ramp"), (s, a) -> setEnabled(a.text("NAME"), true)),
                new ShellCommand(Usage.of("script:disable", "stops a script from running: cancels its runs, pauses its schedule (kept across restarts)")
                        .withArgument("NAME", "script name").withExample("script:disable ramp"), (s, a) -> setEnabled(a.text("NAME"), false)));
    }

    private static int number(String text) {
        if (text.matches("[0-9]{1,9}")) {
            return Integer.parseInt(text);
        }
        throw new UsageError("'" + text + "' is not a version number (script:history lists them)");
    }

    String history(String name) {
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

    String diff(String name, int from, int to) {
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

    String rollback(String name, String version) {
        try {
            ScriptInfo info = manager.rollback(name, version);
            return "rolled '" + SafeText.line(name) + "' back to version " + SafeText.line(info.metadata().version())
                    + " (written to " + SafeText.line(String.valueOf(info.origin())) + "): " + info.status();
        } catch (ScriptException e) {
            return "rollback failed, nothing changed: " + SafeText.line(e.getMessage());
        }
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
