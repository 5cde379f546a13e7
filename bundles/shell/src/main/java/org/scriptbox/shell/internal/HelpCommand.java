package org.scriptbox.shell.internal;

import org.scriptbox.shell.command.ShellArgs;
import org.scriptbox.shell.command.ShellCommand;
import org.scriptbox.shell.command.ShellCommands;
import org.scriptbox.shell.command.Usage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code help} as Karaf users expect it: scriptbox's scopes first, each command with its one-line summary,
 * then the framework's commands by scope in a few lines (instead of 150 bare names); {@code help NAME} shows
 * one command's {@code --help}, or Gogo's own help for a command that is not ours. It is
 * {@code scriptbox:help}; the console's profile puts the scope {@code scriptbox} first so {@code help} finds it.
 */
@Component(service = {})
public class HelpCommand {
    /** Scopes listed first, in this order. */
    static final List<String> OUR_SCOPES = List.of("script", "sched", "device", "log");

    private final List<ShellCommand> commands = new CopyOnWriteArrayList<>();
    private ShellCommands registered;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, service = ShellCommand.class)
    void addCommand(ShellCommand c) {
        commands.add(c);
    }

    void removeCommand(ShellCommand c) {
        commands.remove(c);
    }

    @Activate
    void activate(BundleContext context) {
        registered = ShellCommands.register(context, List.of(new ShellCommand(Usage.of("scriptbox:help",
                "lists the commands, scriptbox's first; help NAME describes one")
                .withOptionalArgument("NAME", "a command, e.g. script:run or run")
                .withExample("help").withExample("help script:run"), this::help)));
    }

    @Deactivate
    void deactivate() {
        registered.unregister();
    }

    private Object help(CommandSession session, ShellArgs args) throws Exception {
        String name = args.text("NAME");
        return name == null ? overview(session) : one(session, name);
    }

    private Object one(CommandSession session, String name) throws Exception {
        for (ShellCommand c : commands) {
            String full = c.usage().command();
            if (full.equals(name) || full.substring(full.indexOf(':') + 1).equals(name) && OUR_SCOPES.contains(scope(full))) {
                return c.usage().help();
            }
        }
        if (!name.matches("[A-Za-z0-9_:.*-]+")) {
            return "no command named '" + org.scriptbox.api.text.SafeText.line(name) + "' (help lists them)";
        }
        return session.execute("gogo:help " + name);   // a framework command: Gogo describes it
    }

    String overview(CommandSession session) {
        Map<String, List<Usage>> ours = new TreeMap<>((a, b) -> Integer.compare(rank(a), rank(b)) != 0
                ? Integer.compare(rank(a), rank(b)) : a.compareTo(b));
        for (ShellCommand c : commands) {
            ours.computeIfAbsent(scope(c.usage().command()), s -> new ArrayList<>()).add(c.usage());
        }
        StringBuilder sb = new StringBuilder("scriptbox commands (COMMAND --help for its options and an example):\n");
        ours.forEach((scope, usages) -> {
            if (scope.equals("scriptbox")) {
                return;
            }
            sb.append('\n').append(scope).append('\n');
            usages.sort((a, b) -> a.command().compareTo(b.command()));
            for (Usage u : usages) {
                sb.append(String.format("  %-20s %s%n", u.command(), u.summary()));
            }
        });
        Map<String, TreeSet<String>> others = new TreeMap<>();
        Object all = session == null ? null : session.get(".commands");
        if (all instanceof Collection) {
            for (Object o : (Collection<?>) all) {
                String full = String.valueOf(o);
                String scope = scope(full);
                if (!ours.containsKey(scope)) {
                    others.computeIfAbsent(scope, s -> new TreeSet<>()).add(full.substring(full.indexOf(':') + 1));
                }
            }
        }
        if (!others.isEmpty()) {
            sb.append("\nframework commands (help NAME describes one):\n");
            others.forEach((scope, names) -> sb.append(String.format("  %-8s %s%n", scope, String.join(" ", names))));
        }
        return sb.toString().stripTrailing();
    }

    private static int rank(String scope) {
        int i = OUR_SCOPES.indexOf(scope);
        return i < 0 ? OUR_SCOPES.size() : i;
    }

    private static String scope(String command) {
        int i = command.indexOf(':');
        return i < 0 ? "" : command.substring(0, i);
    }
}
