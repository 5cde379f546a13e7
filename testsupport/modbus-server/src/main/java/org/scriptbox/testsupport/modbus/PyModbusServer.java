package org.scriptbox.testsupport.modbus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The independent peer: pymodbus (Debian's python3-pymodbus) running itests/src/test/python/modbus_fault_server.py
 * as a separate process, with its control channel for faults and for the server's own view of its
 * registers, coils and request log. {@link #kill()} is SIGKILL; {@link #restart()} starts it on the same ports.
 */
public final class PyModbusServer implements AutoCloseable {
    /** Set by the driver-modbus and itests builds (surefire/failsafe system property). */
    private static final Path SCRIPT = Paths.get(System.getProperty("scriptbox.modbus.server",
            "itests/src/test/python/modbus_fault_server.py"));
    private Process process;
    private int port;
    private int controlPort;
    private Socket control;
    private BufferedReader in;
    private PrintWriter out;
    private final List<String> extra;

    public PyModbusServer() throws IOException {
        this(List.of());
    }

    private PyModbusServer(List<String> extra) throws IOException {
        this.extra = List.copyOf(extra);
        start(0, 0);
    }

    /** RTU frames (unit, PDU, CRC) over TCP, as a serial gateway in transparent mode serves them. */
    public static PyModbusServer rtuOverTcp() throws IOException {
        return new PyModbusServer(List.of("--framer", "rtu"));
    }

    /** RTU on a serial line: pymodbus' serial server on {@code device} (one end of a {@link SerialPair}). */
    public static PyModbusServer serial(String device, int baud) throws IOException {
        return new PyModbusServer(List.of("--serial", device, "--baud", String.valueOf(baud)));
    }

    public int port() {
        return port;
    }

    private void start(int modbusPort, int ctlPort) throws IOException {
        if (!Files.isRegularFile(SCRIPT)) {
            throw new IllegalStateException("no fault server at " + SCRIPT.toAbsolutePath());
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", SCRIPT.toString(), "--port",
                String.valueOf(modbusPort), "--control", String.valueOf(ctlPort)));
        command.addAll(extra);
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String ready = stdout.readLine();   // bounded: the process either prints READY or exits (EOF)
        if (ready == null || !ready.startsWith("READY ")) {
            process.destroyForcibly();
            throw new IllegalStateException("pymodbus fault server did not start (is python3-pymodbus installed? "
                    + ".ci/run installs it): " + ready);
        }
        String[] words = ready.split(" ");
        port = Integer.parseInt(words[1].substring("modbus=".length()));
        controlPort = Integer.parseInt(words[2].substring("control=".length()));
        control = new Socket(InetAddress.getLoopbackAddress(), controlPort);
        control.setSoTimeout(10_000);
        in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
        out = new PrintWriter(control.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** As a crashed server: SIGKILL, every connection gone at once. */
    public void kill() throws InterruptedException {
        closeControl();
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** As a hung PLC: SIGSTOP; the kernel still accepts connections and buffers requests, nothing answers. */
    public void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** SIGCONT after {@link #freeze()}: the server works off what it received meanwhile. */
    public void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String which) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", which, String.valueOf(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + which + " failed");
        }
    }

    public void restart() throws IOException {
        start(port, controlPort);
    }

    public synchronized String command(String line) throws IOException {
        out.println(line);
        String answer = in.readLine();
        if (answer == null || answer.startsWith("error")) {
            throw new IllegalStateException("fault server: " + line + " -> " + answer);
        }
        return answer;
    }

    public int[] get(String table, int address, int count) throws IOException {
        return Arrays.stream(command("get " + table + " " + address + " " + count).split(" "))
                .mapToInt(Integer::parseInt).toArray();
    }

    public int holding(int address) throws IOException {
        return (short) get("holding", address, 1)[0];
    }

    /** The raw 16-bit registers of {@code table} (holding or input) of {@code unit}, unsigned. */
    public int[] registers(int unit, String table, int address, int count) throws IOException {
        return Arrays.stream(command("uget " + unit + " " + table + " " + address + " " + count).split(" "))
                .mapToInt(Integer::parseInt).toArray();
    }

    public void set(int unit, String table, int address, int... values) throws IOException {
        StringBuilder line = new StringBuilder("uset " + unit + " " + table + " " + address);
        for (int v : values) {
            line.append(' ').append(table.equals("coils") || table.equals("discrete") ? v : v & 0xffff);
        }
        command(line.toString());
    }

    public boolean coil(int address) throws IOException {
        return get("coils", address, 1)[0] != 0;
    }

    public void set(String table, int address, int... values) throws IOException {
        StringBuilder line = new StringBuilder("set " + table + " " + address);
        for (int v : values) {
            line.append(' ').append(v & 0xffff);
        }
        command(line.toString());
    }

    public void fault(int function, int address, String kind, int arg) throws IOException {
        command("fault " + function + " " + address + " " + kind + " " + arg);
    }

    public void clearFaults() throws IOException {
        command("clear");
    }

    public void clearLog() throws IOException {
        command("clearlog");
    }

    /** The server's request log: one map per request (conn, tid, fn, address, value, answered, at, done). */
    public synchronized List<Map<String, String>> log() throws IOException {
        int n = Integer.parseInt(command("log"));
        List<Map<String, String>> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, String> e = new LinkedHashMap<>();
            for (String word : in.readLine().split(" ")) {
                int eq = word.indexOf('=');
                e.put(word.substring(0, eq), word.substring(eq + 1));
            }
            entries.add(e);
        }
        return entries;
    }

    /** The requests with function code {@code fn} at {@code address}. */
    public List<Map<String, String>> requests(int fn, int address) throws IOException {
        return log().stream().filter(e -> e.get("fn").equals(String.valueOf(fn))
                && e.get("address").equals(String.valueOf(address))).toList();
    }

    private void closeControl() {
        try {
            if (control != null) {
                control.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
