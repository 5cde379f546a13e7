package org.scriptbox.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what the JDK HttpClient will not send: URIs as typed ({@code %2e%2e},
 * {@code %00}), TRACE, 1 MB headers, bodies that trickle or never come.
 */
final class RawHttp {
    /** An answer: status line's code, headers (lower-case names), body as text. */
    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    /** The {@code host:port} of an endpoint such as {@code http://127.0.0.1:8080/api/v1}. */
    static Socket connect(String base) throws IOException {
        URI u = URI.create(base);
        Socket s = new Socket(u.getHost(), u.getPort());
        s.setSoTimeout(20_000);
        return s;
    }

    /** Sends {@code head} (request line and headers, without the blank line), {@code body}, and reads the answer. */
    static Answer exchange(String base, String head, String body) throws IOException {
        try (Socket s = connect(base)) {
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String h = head + "\r\nHost: test\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Length: " + b.length + "\r\n") + "\r\n";
            try {
                s.getOutputStream().write(h.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().write(b);
                s.getOutputStream().flush();
            } catch (java.net.SocketException refusedEarly) {
                // the server answered (431, 414) and closed before taking all of it: its answer is still there
            }
            return read(s.getInputStream());
        }
    }

    /** Reads one answer until the server closes the connection (or the socket's timeout). */
    static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                all.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            if (all.size() == 0) {
                throw e;
            }
        } catch (java.net.SocketException reset) {
            if (all.size() == 0) {
                throw reset;   // a connection reset after the answer is the server ending it
            }
        }
        String text = all.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete answer: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
    }
}
