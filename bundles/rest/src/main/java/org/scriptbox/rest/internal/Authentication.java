package org.scriptbox.rest.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users, sessions, tokens, login throttling and the audit log: one service of this bundle, shared by the
 * API servlet and the shell commands.
 * <p>
 * Users come from ConfigAdmin, PID {@code org.scriptbox.rest.users}: {@code NAME.role} (viewer, operator,
 * admin) and {@code NAME.password} (a PBKDF2 hash, made with {@code rest:hash}); a plain password there is
 * refused. Settings come from PID {@code org.scriptbox.rest}. When no admin is configured, an {@code admin}
 * is made once with a generated password, printed once on the console and kept only as a hash in the
 * bundle's data area. Both configurations are required (the runtime ships them), so that the users are
 * known before the first login and a fresh start does not make an admin while the configured one is on its way.
 */
@Component(service = Authentication.class, configurationPid = {RestConfig.PID, Authentication.USERS_PID},
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class Authentication {
    static final String USERS_PID = "org.scriptbox.rest.users";
    static final String BOOTSTRAP_ADMIN = "admin";
    private static final Logger LOG = LoggerFactory.getLogger(Authentication.class);
    private static final int MAX_SESSIONS = 1000;

    /** The outcome of a login. */
    record Login(SessionStore.Created created, Duration retryAfter) {
        boolean ok() {
            return created != null;
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Semaphore passwordChecks = new Semaphore(2);
    private final AuditLog audit = new AuditLog(2000);
    private SessionStore sessions;
    private LoginThrottle throttle;
    private TokenStore tokens;
    private Path dataFolder;
    private volatile Map<String, User> users = Map.of();

    @Activate
    void activate(BundleContext context, RestConfig config, Map<String, Object> properties) {
        java.io.File data = context.getDataFile("auth");
        dataFolder = data == null ? Path.of(System.getProperty("java.io.tmpdir"), "scriptbox-rest") : data.toPath();
        sessions = new SessionStore(Duration.ofMinutes(config.session_idle_minutes()),
                Duration.ofHours(config.session_lifetime_hours()), MAX_SESSIONS, Instant::now);
        throttle = new LoginThrottle(config.login_user_failures(), config.login_address_failures(),
                Duration.ofMinutes(config.login_window_minutes()), 10_000, Instant::now);
        tokens = new TokenStore(dataFolder.resolve("tokens.json"), json);
        users = readUsers(properties);
    }

    @Modified
    void modified(RestConfig config, Map<String, Object> properties) {
        sessions.reconfigure(Duration.ofMinutes(config.session_idle_minutes()), Duration.ofHours(config.session_lifetime_hours()));
        throttle.reconfigure(config.login_user_failures(), config.login_address_failures(),
                Duration.ofMinutes(config.login_window_minutes()));
        Map<String, User> before = users;
        users = readUsers(properties);
        // a user whose role or password changed, or who left, is logged out
        for (User u : before.values()) {
            User now = users.get(u.name());
            if (now == null || now.role() != u.role() || !now.password().encoded().equals(u.password().encoded())) {
                sessions.removeUser(u.name());
            }
        }
    }

    /** Checks a user's password, throttled; records the outcome in the audit log. */
    Login login(String user, char[] password, String source) throws InterruptedException {
        String name = user == null ? "" : user;
        Duration wait = throttle.admit(name, source);
        if (!wait.isZero()) {
            audit.record(name, source, "login", "session", "throttled");
            return new Login(null, wait);
        }
        // PBKDF2 is slow on purpose: at most two at once, so logins cannot take the CPU from the scripts
        if (!passwordChecks.tryAcquire(2, TimeUnit.SECONDS)) {
            audit.record(name, source, "login", "session", "busy");
            return new Login(null, Duration.ofSeconds(1));
        }
        boolean ok;
        User u;
        try {
            u = users.get(name);
            if (u == null) {
                PasswordHash.spendCheckTime(password);   // an unknown name takes as long as a wrong password
                ok = false;
            } else {
                ok = u.password().matches(password);
            }
        } finally {
            passwordChecks.release();
            java.util.Arrays.fill(password, '\0');
        }
        if (!ok) {
            audit.record(name, source, "login", "session", "denied");
            return new Login(null, Duration.ZERO);
        }
        throttle.succeeded(name, source);
        audit.record(name, source, "login", "session", "ok");
        return new Login(sessions.create(u.name(), u.role()), Duration.ZERO);
    }

    /** The caller behind a session cookie; the user must still exist with the same role. */
    Optional<Caller> bySession(String cookieValue) {
        return sessions.find(cookieValue).filter(s -> {
            User u = users.get(s.user());
            return u != null && u.role() == s.role();
        }).map(s -> new Caller(s.user(), s.role(), "cookie", s));
    }

    Optional<Caller> byToken(String presented) {
        return tokens.verify(presented).map(t -> new Caller("token:" + t.name(), t.role(), "token", null));
    }

    void logout(Session s) {
        sessions.remove(s);
    }

    TokenStore tokens() {
        return tokens;
    }

    AuditLog audit() {
        return audit;
    }

    Map<String, User> users() {
        return users;
    }

    /** Users from the configuration; a bad entry is skipped with one line naming it (never its value). */
    private Map<String, User> readUsers(Map<String, Object> properties) {
        Map<String, String> roles = new TreeMap<>();
        Map<String, String> passwords = new TreeMap<>();
        for (Map.Entry<String, Object> e : properties.entrySet()) {
            String key = e.getKey();
            if (key.endsWith(".role")) {
                roles.put(key.substring(0, key.length() - 5), String.valueOf(e.getValue()));
            } else if (key.endsWith(".password")) {
                passwords.put(key.substring(0, key.length() - 9), String.valueOf(e.getValue()));
            }
        }
        Map<String, User> result = new TreeMap<>();
        for (Map.Entry<String, String> e : roles.entrySet()) {
            String name = e.getKey();
            Optional<Role> role = Role.parse(e.getValue());
            if (!TokenStore.NAME.matcher(name).matches()) {
                LOG.warn("{}: user name '{}' is not 1 to 64 letters, digits, '_', '-' or '.': ignored", USERS_PID,
                        org.scriptbox.api.text.SafeText.line(name));
                continue;
            }
            if (role.isEmpty()) {
                LOG.warn("{}: {}.role must be viewer, operator or admin: user '{}' ignored", USERS_PID, name, name);
                continue;
            }
            String hash = passwords.get(name);
            if (hash == null) {
                LOG.warn("{}: user '{}' has no {}.password: ignored", USERS_PID, name, name);
                continue;
            }
            try {
                result.put(name, new User(name, role.get(), PasswordHash.parse(hash)));
            } catch (IllegalArgumentException bad) {
                LOG.warn("{}: {}.password is not a usable hash ({}): user '{}' ignored (a plain password is never accepted)",
                        USERS_PID, name, bad.getMessage(), name);
            }
        }
        if (result.values().stream().noneMatch(u -> u.role() == Role.ADMIN)) {
            bootstrapAdmin().ifPresent(u -> result.putIfAbsent(u.name(), u));
        }
        return Map.copyOf(result);
    }

    /**
     * The generated admin of a fresh start: its hash is kept in the data area; the password itself is
     * printed once, on the console only (not the log file), when it is made.
     */
    private Optional<User> bootstrapAdmin() {
        Path file = dataFolder.resolve("bootstrap-admin.hash");
        try {
            if (Files.isRegularFile(file)) {
                return Optional.of(new User(BOOTSTRAP_ADMIN, Role.ADMIN,
                        PasswordHash.parse(Files.readString(file, StandardCharsets.UTF_8))));
            }
            String password = PasswordHash.randomSecret(15);
            PasswordHash hash = PasswordHash.create(password.toCharArray());
            Files.createDirectories(dataFolder);
            Path tmp = file.resolveSibling("bootstrap-admin.hash.tmp");
            Files.writeString(tmp, hash.encoded(), StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            System.out.println("scriptbox REST: no admin is configured; made user '" + BOOTSTRAP_ADMIN + "' with password "
                    + password + " (shown only now, kept only as a hash; configure users in etc/" + USERS_PID + ".cfg)");
            LOG.info("no admin configured: made user '{}' with a generated password, printed once on the console", BOOTSTRAP_ADMIN);
            return Optional.of(new User(BOOTSTRAP_ADMIN, Role.ADMIN, hash));
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("no admin is configured and none could be made in {} ({}): configure one in etc/{}.cfg",
                    dataFolder, e.getClass().getSimpleName(), USERS_PID);
            return Optional.empty();
        }
    }
}
