package org.scriptbox.itests;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** Gogo commands run inside the container as an operator types them. */
final class Shell {
    private Shell() {
    }

    /** The command's returned value as text, or what it printed if it returned nothing. */
    static String execute(BundleContext context, String command) throws Exception {
        ServiceReference<CommandProcessor> ref = context.getServiceReference(CommandProcessor.class);
        CommandProcessor processor = context.getService(ref);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
             CommandSession session = processor.createSession(System.in, ps, ps)) {
            Object result = session.execute(command);
            return result == null ? out.toString(StandardCharsets.UTF_8) : result.toString();
        } finally {
            context.ungetService(ref);
        }
    }
}
