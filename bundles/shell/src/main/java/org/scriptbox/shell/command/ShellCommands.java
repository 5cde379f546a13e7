package org.scriptbox.shell.command;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers a component's {@link ShellCommand}s as Gogo commands ({@code osgi.command.scope/function}) and
 * takes them away again; also registers each one's usage so {@code help} and completion can list it.
 */
public final class ShellCommands {
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    public static ShellCommands register(BundleContext context, List<ShellCommand> commands) {
        ShellCommands out = new ShellCommands();
        for (ShellCommand c : commands) {
            String[] scoped = c.usage().command().split(":", 2);
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(CommandProcessor.COMMAND_SCOPE, scoped[0]);
            props.put(CommandProcessor.COMMAND_FUNCTION, scoped[1]);
            props.put("scriptbox.command.summary", c.usage().summary());
            out.registrations.add(context.registerService(new String[] {Function.class.getName(), ShellCommand.class.getName()},
                    c, props));
        }
        return out;
    }

    public void unregister() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping: the framework took it away already
            }
        }
        registrations.clear();
    }
}
