package org.scriptbox.fleet.internal;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS side of a broker connection: the JDK's trust and key managers over the PKCS12 stores of the
 * settings, wrapped so that each handshake leaves a {@link Trace} of how far it got (was the broker's chain
 * trusted, did its certificate name the host, did the broker ask for our certificate). A failed connect is
 * then explained by what happened, not by the socket error that follows it ("broken pipe", "connection
 * reset" and the alert text vary from run to run).
 *
 * <p>TLS 1.2 only: with TLS 1.3 a broker refuses a client certificate after the client's handshake has
 * completed, and Paho 1.2.5 then leaves its connect thread waiting forever for a receiver that already
 * stopped (one stuck thread per attempt, seen 20 of 20 times). With TLS 1.2 the refusal ends the handshake,
 * which Paho runs before it starts its receiver.
 */
final class TlsSetup {
    static final String PROTOCOL = "TLSv1.2";

    /** What the latest handshake did; written by the JDK's handshake thread, read by the link thread. */
    static final class Trace {
        volatile boolean serverChecked;
        volatile String serverRefused;        // why the broker's certificate was not accepted, or null
        volatile boolean clientAsked;         // the broker asked for our certificate
        volatile X509Certificate clientOffered;

        void reset() {
            serverChecked = false;
            serverRefused = null;
            clientAsked = false;
            clientOffered = null;
        }
    }

    final SSLContext context;
    final Trace trace = new Trace();
    private final X509Certificate clientCertificate;   // the keystore's, or null

    private TlsSetup(SSLContext context, X509Certificate clientCertificate) {
        this.context = context;
        this.clientCertificate = clientCertificate;
    }

    X509Certificate clientCertificate() {
        return clientCertificate;
    }

    /** @throws IllegalArgumentException naming the setting (file missing, wrong password, no key in it) */
    static TlsSetup of(BrokerSettings s) {
        X509TrustManager trust = trustManager(s);
        X509KeyManager keys = keyManager(s);
        X509Certificate mine = null;
        if (keys != null) {
            for (String alias : aliases(keys)) {
                X509Certificate[] chain = keys.getCertificateChain(alias);
                if (chain != null && chain.length > 0) {
                    mine = chain[0];
                    break;
                }
            }
            if (mine == null) {
                throw new IllegalArgumentException("tls.keystore " + s.keystore() + " holds no private key with a certificate");
            }
        }
        TlsSetup setup;
        try {
            SSLContext ctx = SSLContext.getInstance(PROTOCOL);
            setup = new TlsSetup(ctx, mine);
            ctx.init(new KeyManager[] {setup.new TracingKeys(keys)}, new TrustManager[] {setup.new TracingTrust(trust)}, null);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + PahoLink.reason(e));
        }
        return setup;
    }

    private static List<String> aliases(X509KeyManager keys) {
        List<String> out = new ArrayList<>();
        for (String type : new String[] {"RSA", "EC", "EdDSA", "Ed25519", "DSA", "RSASSA-PSS"}) {
            String[] a = keys.getClientAliases(type, null);
            if (a != null) {
                out.addAll(List.of(a));
            }
        }
        return out;
    }

    private static X509TrustManager trustManager(BrokerSettings s) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(s.truststore().isEmpty() ? null : load("tls.truststore", s.truststore(), s.truststorePassword()));
            for (TrustManager t : tmf.getTrustManagers()) {
                if (t instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalArgumentException("the JDK has no X.509 trust manager");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("tls.truststore " + s.truststore() + ": " + PahoLink.reason(e));
        }
    }

    private static X509KeyManager keyManager(BrokerSettings s) {
        if (s.keystore().isEmpty()) {
            return null;
        }
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load("tls.keystore", s.keystore(), s.keystorePassword()), s.keystorePassword().toCharArray());
            for (KeyManager k : kmf.getKeyManagers()) {
                if (k instanceof X509KeyManager x) {
                    return x;
                }
            }
            throw new IllegalArgumentException("the JDK has no X.509 key manager");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("tls.keystore " + s.keystore() + ": " + PahoLink.reason(e));
        }
    }

    private static KeyStore load(String setting, String file, String password) {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            Enumeration<String> a = ks.aliases();
            if (!a.hasMoreElements()) {
                throw new IllegalArgumentException(setting + " " + file + " is empty");
            }
            return ks;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(setting + " " + file + " does not exist");
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            // a wrong password is an IOException whose cause is an UnrecoverableKeyException
            boolean badPassword = e.getCause() instanceof java.security.UnrecoverableKeyException;
            throw new IllegalArgumentException(setting + " " + file + ": " + (badPassword
                    ? "cannot be opened with " + setting + ".password" : "cannot be read as PKCS12: " + PahoLink.reason(e)));
        }
    }

    static String describe(X509Certificate c) {
        return name(c.getSubjectX500Principal()) + ", issued by " + name(c.getIssuerX500Principal());
    }

    private static String name(Principal p) {
        return Texts.clip(p.getName());
    }

    /** The DNS names and addresses a certificate is valid for. */
    static List<String> names(X509Certificate c) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> alt = c.getSubjectAlternativeNames();
            if (alt != null) {
                for (List<?> entry : alt) {
                    Object type = entry.get(0);
                    if (Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) {   // dNSName, iPAddress
                        out.add(Texts.clip(String.valueOf(entry.get(1))));
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            // no names to show
        }
        return out;
    }

    /** Checks the chain first, then the host name, so that each failure is told apart. */
    private final class TracingTrust extends X509ExtendedTrustManager {
        private final X509TrustManager delegate;

        TracingTrust(X509TrustManager delegate) {
            this.delegate = delegate;
        }

        private void server(X509Certificate[] chain, String authType, Runnable hostCheck) throws CertificateException {
            trace.serverChecked = true;
            try {
                delegate.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                trace.serverRefused = "the broker's certificate (" + describe(chain[0]) + ") is not signed by a CA in "
                        + "tls.truststore";
                throw e;
            }
            try {
                hostCheck.run();
            } catch (HostMismatch e) {
                trace.serverRefused = "the broker's certificate names " + names(chain[0]) + ", not broker.host";
                throw (CertificateException) e.getCause();
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            server(chain, authType, () -> {
                if (delegate instanceof X509ExtendedTrustManager x) {
                    try {
                        x.checkServerTrusted(chain, authType, socket);
                    } catch (CertificateException e) {
                        throw new HostMismatch(e);
                    }
                }
            });
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            server(chain, authType, () -> {
                if (delegate instanceof X509ExtendedTrustManager x) {
                    try {
                        x.checkServerTrusted(chain, authType, engine);
                    } catch (CertificateException e) {
                        throw new HostMismatch(e);
                    }
                }
            });
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            server(chain, authType, () -> { });
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a client does not accept clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a client does not accept clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client does not accept clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }

    private static final class HostMismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HostMismatch(CertificateException cause) {
            super(cause);
        }
    }

    /** Records whether the broker asked for a client certificate and which one went out (none without a keystore). */
    private final class TracingKeys extends X509ExtendedKeyManager {
        private final X509KeyManager delegate;   // null: no keystore

        TracingKeys(X509KeyManager delegate) {
            this.delegate = delegate;
        }

        private String chosen(String alias) {
            trace.clientAsked = true;
            if (alias != null && delegate != null) {
                X509Certificate[] chain = delegate.getCertificateChain(alias);
                trace.clientOffered = chain == null || chain.length == 0 ? null : chain[0];
            }
            return alias;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return chosen(delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, socket));
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return chosen(delegate instanceof X509ExtendedKeyManager x ? x.chooseEngineClientAlias(keyType, issuers, engine)
                    : delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, null));
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate == null ? null : delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate == null ? null : delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate == null ? null : delegate.getPrivateKey(alias);
        }
    }
}
