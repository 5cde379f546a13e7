package org.scriptbox.fleet.internal;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;

import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * One sentence for a failed connect, naming the setting to look at: from the MQTT reason code of the
 * broker's answer, or from how far the TLS handshake got ({@link TlsSetup.Trace}), never from the socket
 * error alone (a refused client certificate shows as "broken pipe" one time and "connection reset" the next).
 */
final class ConnectProblem {
    private ConnectProblem() {
    }

    static String explain(Throwable e, BrokerSettings s, TlsSetup tls) {
        if (e instanceof MqttException m) {
            switch (m.getReasonCode()) {
                case 134:   // bad user name or password
                    return "the broker refused user name '" + Texts.clip(s.username()) + "' with this password (username, password)";
                case 135:   // not authorized
                    return s.username().isEmpty() && (tls == null || tls.clientCertificate() == null)
                            ? "the broker requires a user name and password or a client certificate (username, password, tls.keystore are empty)"
                            : "the broker did not authorise " + (s.username().isEmpty() ? "this client"
                            : "user name '" + Texts.clip(s.username()) + "'") + " (username, password; the broker's ACL)";
                case 138:
                    return "the broker banned this client";
                case 32103:   // Paho: unable to connect to server
                    if (root(e) instanceof java.net.ConnectException) {
                        return "nothing accepts connections at " + s.host() + ":" + s.port() + " (broker.host, broker.port)";
                    }
                    if (root(e) instanceof java.net.UnknownHostException) {
                        return "unknown host '" + Texts.clip(s.host()) + "' (broker.host)";
                    }
                    break;
                case 32000:   // Paho: timed out waiting for a response
                    return "no answer from " + s.host() + ":" + s.port() + " within the connect timeout (broker.host, broker.port)";
                default:
                    break;
            }
        }
        if (tls != null) {
            TlsSetup.Trace t = tls.trace;
            if (t.serverRefused != null) {
                return t.serverRefused.replace("tls.truststore", s.truststore().isEmpty()
                        ? "the JDK's list (tls.truststore is empty)" : "tls.truststore " + s.truststore())
                        .replace("not broker.host", "not broker.host " + s.host());
            }
            if (t.serverChecked && t.clientAsked) {
                X509Certificate mine = t.clientOffered;
                if (mine == null) {
                    return "the broker requires a client certificate and tls.keystore "
                            + (s.keystore().isEmpty() ? "is empty" : s.keystore() + " has none it accepts");
                }
                Instant now = Instant.now();
                if (mine.getNotAfter().before(Date.from(now))) {
                    return "the broker refused the client certificate in tls.keystore " + s.keystore() + " ("
                            + TlsSetup.describe(mine) + "): it expired at " + mine.getNotAfter().toInstant();
                }
                if (mine.getNotBefore().after(Date.from(now))) {
                    return "the broker refused the client certificate in tls.keystore " + s.keystore() + " ("
                            + TlsSetup.describe(mine) + "): it is valid only from " + mine.getNotBefore().toInstant();
                }
                return "the broker refused the client certificate in tls.keystore " + s.keystore() + " ("
                        + TlsSetup.describe(mine) + "): it does not trust its issuer, or it revoked it";
            }
            if (!t.serverChecked) {
                return "no TLS handshake with " + s.host() + ":" + s.port() + ": " + PahoLink.reason(e)
                        + " (tls = true: is broker.port a TLS listener?)";
            }
        } else if (e instanceof MqttException m && m.getReasonCode() == 32109) {   // Paho: connection lost
            return "the broker closed the connection before answering (tls = false: is broker.port a TLS listener?)";
        }
        return PahoLink.reason(e);
    }

    private static Throwable root(Throwable e) {
        Throwable r = e;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }
}
