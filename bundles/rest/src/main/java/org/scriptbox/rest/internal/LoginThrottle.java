package org.scriptbox.rest.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Slows down password guessing, per user name and per source address: once either has had its allowance of
 * failures within the window, each further attempt is refused until a wait that doubles with every failure
 * (1 s, 2 s, 4 s ... at most the window). A success clears the user's count, not the address's (an attacker
 * who knows one password must not reset the count for guessing others). The check and the count are one
 * step ({@link #admit}), so parallel guesses get no more tries than sequential ones. Bounded: at most {@code maxKeys}
 * names and addresses are tracked; when full the oldest are forgotten.
 */
final class LoginThrottle {
    private record Failures(int count, Instant first, Instant last) {
    }

    private final Map<String, Failures> byUser = new ConcurrentHashMap<>();
    private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();
    private final Supplier<Instant> clock;
    private final int maxKeys;
    private volatile int userAllowance;
    private volatile int addressAllowance;
    private volatile Duration window;

    LoginThrottle(int userAllowance, int addressAllowance, Duration window, int maxKeys, Supplier<Instant> clock) {
        this.userAllowance = userAllowance;
        this.addressAllowance = addressAllowance;
        this.window = window;
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    void reconfigure(int newUserAllowance, int newAddressAllowance, Duration newWindow) {
        userAllowance = newUserAllowance;
        addressAllowance = newAddressAllowance;
        window = newWindow;
    }

    /**
     * Admits a login attempt or says how long it must wait. An admitted attempt is counted as a failure at
     * once, in the same step as the check, so that attempts arriving together (parallel connections) are held
     * to the allowance as sequential ones are; {@link #succeeded} takes the count back for a good password.
     */
    synchronized Duration admit(String user, String address) {
        Instant now = clock.get();
        Duration u = wait(byUser.get(user), userAllowance, now);
        Duration a = wait(byAddress.get(address), addressAllowance, now);
        Duration w = u.compareTo(a) >= 0 ? u : a;
        if (w.isZero()) {
            count(byUser, user, now);
            count(byAddress, address, now);
        }
        return w;
    }

    /** The admitted attempt had the right password: the user's count is cleared, the address's taken back by one. */
    synchronized void succeeded(String user, String address) {
        byUser.remove(user);
        byAddress.computeIfPresent(address, (k, f) -> f.count() <= 1 ? null : new Failures(f.count() - 1, f.first(), f.last()));
    }

    private Duration wait(Failures f, int allowance, Instant now) {
        if (f == null || f.count() < allowance || !now.isBefore(f.first().plus(window))) {
            return Duration.ZERO;
        }
        int over = Math.min(f.count() - allowance, 20);
        Duration backoff = Duration.ofSeconds(1L << over);
        if (backoff.compareTo(window) > 0) {
            backoff = window;
        }
        Instant until = f.last().plus(backoff);
        return now.isBefore(until) ? Duration.between(now, until) : Duration.ZERO;
    }

    private void count(Map<String, Failures> map, String key, Instant now) {
        if (map.size() >= maxKeys && !map.containsKey(key)) {
            map.entrySet().removeIf(e -> !now.isBefore(e.getValue().first().plus(window)));
            if (map.size() >= maxKeys) {
                // a flood of names: forget those with a single failure first (the locked ones stay locked)
                map.entrySet().removeIf(e -> e.getValue().count() <= 1);
            }
            if (map.size() >= maxKeys) {
                return;   // still full: this one is not counted here, the address's count still holds it back
            }
        }
        map.compute(key, (k, f) -> f == null || !now.isBefore(f.first().plus(window))
                ? new Failures(1, now, now) : new Failures(f.count() + 1, f.first(), now));
    }
}
