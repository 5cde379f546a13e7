package org.scriptbox.rest.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.scriptbox.api.text.SafeText;
import org.scriptbox.shell.command.ShellCommand;
import org.scriptbox.shell.command.ShellCommands;
import org.scriptbox.shell.command.Usage;
import org.scriptbox.shell.command.UsageError;

/**
 * Shell commands of the REST API, on the shell's command mechanism ({@code --help}, one-line usage on a mistake,
 * no Java text): {@code rest:hash} makes a new password and its hash for the users' configuration (it takes
 * none: it would stay in the shell history, red team R13); {@code rest:tokens}, {@code rest:token-create},
 * {@code rest:token-revoke} manage API tokens (audited as user "shell").
 */
@Component(service = {})
public final class RestCommands {
    private final Authentication auth;
    private final ShellCommands registered;

    @Activate
    public RestCommands(@Reference Authentication auth, BundleContext context) {
        this.auth = auth;
        this.registered = ShellCommands.register(context, commands());
    }

    @Deactivate
    void deactivate() {
        registered.unregister();
    }

    List<ShellCommand> commands() {
        return List.of(
                new ShellCommand(Usage.of("rest:hash", "makes a new random password and its hash for etc/"
                        + Authentication.USERS_PID + ".cfg (it takes none: a typed one would stay in the shell history)")
                        .withExample("rest:hash"), (s, a) -> hash()),
                new ShellCommand(Usage.of("rest:tokens", "lists the API tokens: id, name, role, when and by whom made")
                        .withExample("rest:tokens"), (s, a) -> tokens()),
                new ShellCommand(Usage.of("rest:token-create", "makes an API token for a machine; its secret is shown only now")
                        .withArgument("NAME", "what the token is for: 1 to 64 letters, digits, '_', '-' or '.'")
                        .withArgument("ROLE", "viewer, operator or admin")
                        .withExample("rest:token-create ci operator"), (s, a) -> tokenCreate(a.text("NAME"), a.text("ROLE"))),
                new ShellCommand(Usage.of("rest:token-revoke", "revokes an API token: its next request gets 401")
                        .withArgument("ID", "the token's id (rest:tokens lists them)")
                        .withExample("rest:token-revoke 3fa9c2d1"), (s, a) -> tokenRevoke(a.text("ID"))));
    }

    /** A new random password and its hash, for NAME.password in etc/org.scriptbox.rest.users.cfg. */
    String hash() {
        String password = PasswordHash.randomSecret(15);
        return "password: " + password + System.lineSeparator()
                + "hash:     " + PasswordHash.create(password.toCharArray()).encoded() + System.lineSeparator()
                + "(put the hash into etc/" + Authentication.USERS_PID + ".cfg as NAME.password; the password is not kept)";
    }

    String tokens() {
        var all = auth.tokens().list();
        if (all.isEmpty()) {
            return "no API tokens";
        }
        return all.stream().map(t -> String.format("%-12s %-20s %-8s created %s by %s", t.id(), SafeText.line(t.name()),
                t.role().label(), t.createdAt(), SafeText.line(t.createdBy()))).collect(Collectors.joining(System.lineSeparator()));
    }

    String tokenCreate(String name, String role) {
        var r = Role.parse(role).orElseThrow(() -> new UsageError("the role must be viewer, operator or admin, not '"
                + SafeText.line(role) + "'"));
        try {
            TokenStore.Created c = auth.tokens().create(name, r, "shell");
            auth.audit().record("shell", "console", "token-create", "token " + c.token().id() + " (" + name + ")", "ok");
            return "token " + c.token().id() + " (" + name + ", " + r.label() + "): " + c.secret()
                    + System.lineSeparator() + "(shown only now; send it as 'Authorization: Bearer ...')";
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());   // the token store's sentence about the name
        } catch (IllegalStateException e) {
            return "rest:token-create: the token could not be saved (see the log)";
        }
    }

    String tokenRevoke(String id) {
        boolean done = auth.tokens().revoke(id);
        auth.audit().record("shell", "console", "token-revoke", "token " + id, done ? "ok" : "refused:not_found");
        return done ? "token " + SafeText.line(id) + " revoked"
                : "no token '" + SafeText.line(id) + "' (rest:tokens lists them)";
    }
}
