package org.scriptbox.rest.internal;

import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands of the REST API: {@code rest:hash} makes a new password and its hash for the users'
 * configuration (it takes none: it would stay in the shell history);
 * {@code rest:tokens}, {@code rest:token-create}, {@code rest:token-revoke} manage API tokens (audited as
 * user "shell"). Mistakes come back as sentences.
 */
@Component(service = RestCommands.class, property = {"osgi.command.scope=rest",
        "osgi.command.function=hash", "osgi.command.function=tokens",
        "osgi.command.function=token-create", "osgi.command.function=token-revoke"})
public final class RestCommands {
    private final Authentication auth;

    @Activate
    public RestCommands(@Reference Authentication auth) {
        this.auth = auth;
    }

    /** A new random password and its hash, for NAME.password in etc/org.scriptbox.rest.users.cfg. */
    public String hash() {
        String password = PasswordHash.randomSecret(15);
        return "password: " + password + System.lineSeparator()
                + "hash:     " + PasswordHash.create(password.toCharArray()).encoded() + System.lineSeparator()
                + "(put the hash into etc/" + Authentication.USERS_PID + ".cfg as NAME.password; the password is not kept)";
    }

    /**
     * Refused: a password typed as an argument stays in the shell's history file (readable by every local
     * user) and the terminal's scrollback (red team R13). {@code rest:hash} makes one instead.
     */
    public String hash(String password) {
        return "rest:hash takes no password: one typed here stays in the shell history. Run rest:hash alone;"
                + " it makes a strong password and its hash";
    }

    public String tokens() {
        var all = auth.tokens().list();
        if (all.isEmpty()) {
            return "no API tokens";
        }
        return all.stream().map(t -> String.format("%-12s %-20s %-8s created %s by %s", t.id(), t.name(),
                t.role().label(), t.createdAt(), t.createdBy())).collect(Collectors.joining(System.lineSeparator()));
    }

    public String tokenCreate(String name, String role) {
        var r = Role.parse(role);
        if (r.isEmpty()) {
            return "the role must be viewer, operator or admin";
        }
        try {
            TokenStore.Created c = auth.tokens().create(name, r.get(), "shell");
            auth.audit().record("shell", "console", "token-create", "token " + c.token().id() + " (" + name + ")", "ok");
            return "token " + c.token().id() + " (" + name + ", " + r.get().label() + "): " + c.secret()
                    + System.lineSeparator() + "(shown only now; send it as 'Authorization: Bearer ...')";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        } catch (IllegalStateException e) {
            return "the token could not be saved (see the log)";
        }
    }

    public String tokenRevoke(String id) {
        boolean done = auth.tokens().revoke(id);
        auth.audit().record("shell", "console", "token-revoke", "token " + id, done ? "ok" : "refused:not_found");
        return done ? "token " + id + " revoked" : "no token '" + org.scriptbox.api.text.SafeText.line(id) + "'";
    }
}
