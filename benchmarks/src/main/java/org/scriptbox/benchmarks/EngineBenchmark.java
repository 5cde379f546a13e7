package org.scriptbox.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
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
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Prints the engine's speed figures: seven CPU-bound Lua programs on raw Luaj and on the scriptbox
 * engine (same JVM run, each program and variant in a class loader of its own so they share no JIT profile),
 * PUC Lua 5.4 and LuaJIT as separate processes when installed, then compile time, request-to-first-
 * instruction latency and runaway-stop latency. Program times are CPU time of the running thread (os.clock for
 * the native interpreters): on a machine shared with other work they are far steadier than wall-clock times.
 *
 * <p>Run: {@code mvn -B -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/scriptbox-benchmarks.jar}
 * Options: {@code --runs N} measured runs per program (default 7), {@code --warmup N} (default 3),
 * {@code --only NAME} one program and no latency figures.
 */
public final class EngineBenchmark {
    private static final long WARMUP_NANOS = 2_000_000_000L;
    private static final String[] PROGRAMS = {"fib", "loops", "nbody", "binarytrees", "strings", "sort", "tables", "spectral"};

    private EngineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = intOption(args, "--runs", 7);
        int warmup = intOption(args, "--warmup", 3);
        Path lib = libFolder();
        URL harness = EngineBenchmark.class.getProtectionDomain().getCodeSource().getLocation();

        URL[] rawJars = {harness, jar(lib, "luaj-jse")};
        URL[] sandboxJars = {harness, jar(lib, "scriptbox-engine"), jar(lib, "scriptbox-api"), jar(lib, "slf4j-api"),
            jar(lib, "slf4j-simple")};

        System.out.printf("JVM %s %s, %d cores, %d runs after >= %d warm-up runs and >= 2 s, median ms; first table: CPU"
                + " time of the running thread (lua5.4/luajit: os.clock, the process's CPU)%n",
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), runs, warmup);
        NativeLua puc = NativeLua.find("lua5.4");
        NativeLua jit = NativeLua.find("luajit");
        System.out.printf("%-12s %10s %10s %8s %10s %8s %10s %8s %10s %10s%n", "program", "raw Luaj", "interp.", "ratio",
                "scriptbox", "ratio", "asm", "ratio", puc == null ? "(no lua5.4)" : "lua5.4",
                jit == null ? "(no luajit)" : "luajit");
        System.out.println("(interp.: the sandboxed interpreter (compile mode interpreted); scriptbox: the engine as"
                + " configured by default (adaptive: JVM classes built once a program is hot, i.e. during the warm-up);"
                + " asm: the engine's compiler within compile (compile mode asm); ratios are to raw Luaj)");
        Map<String, String> sources = new LinkedHashMap<>();
        String only = stringOption(args, "--only", null);
        for (String name : PROGRAMS) {
            if (only != null && !only.equals(name)) {
                continue;
            }
            sources.put(name, resource("bench/" + name + ".lua"));
        }
        // variants: 0 raw Luaj, 1 interp., 2 scriptbox (default), 3 asm
        String[] runners = {"RawLuajRunner", "SandboxedRunner", "CompiledRunner", "AsmRunner"};
        URL[][] jars = {rawJars, sandboxJars, sandboxJars, sandboxJars};
        int nv = runners.length;
        List<String> names = new ArrayList<>();
        List<double[][]> medians = new ArrayList<>(); // per program: [clock: thread, wall, process][variant]
        List<double[]> peers = new ArrayList<>(); // per program: {lua5.4, luajit} CPU ms, NaN when absent
        for (Map.Entry<String, String> program : sources.entrySet()) {
            String src = program.getValue();
            // A fresh class loader per program and variant: no JIT profile is shared between the
            // variants, nor carried over from one program to the next.
            List<BiFunction<String, Integer, Object[]>> variants = new ArrayList<>();
            for (int v = 0; v < nv; v++) {
                variants.add(instance(new URLClassLoader(jars[v], ClassLoader.getPlatformClassLoader()),
                        "org.scriptbox.benchmarks." + runners[v]));
            }
            // Warm all up, then alternate single runs so that load from other processes hits them alike.
            Object[][] out = new Object[nv][];
            for (int v = 0; v < nv; v++) {
                out[v] = warmUp(variants.get(v), src, warmup);
            }
            long[][][] nanos = new long[3][nv][runs];
            for (int i = 0; i < runs; i++) {
                for (int v = 0; v < nv; v++) {
                    out[v] = variants.get(v).apply(src, 1);
                    for (int clock = 0; clock < 3; clock++) {
                        nanos[clock][v][i] = ((long[]) out[v][clock == 0 ? 0 : clock + 1])[0];
                    }
                }
            }
            for (int v = 1; v < nv; v++) {
                if (!sameResult((String) out[0][1], (String) out[v][1])) {
                    throw new IllegalStateException(program.getKey() + ": raw Luaj returned " + out[0][1]
                            + " but " + runners[v] + " " + out[v][1]);
                }
            }
            double[][] ms = new double[3][nv];
            for (int clock = 0; clock < 3; clock++) {
                for (int v = 0; v < nv; v++) {
                    // the process clock ticks in 10 ms steps on Linux: its mean is unbiased, a median is not
                    ms[clock][v] = clock == 2 ? mean(nanos[clock][v]) : median(nanos[clock][v], 0);
                }
            }
            double pucMs = puc == null ? Double.NaN : puc.medianMillis(src, runs);
            double jitMs = jit == null ? Double.NaN : jit.medianMillis(src, runs);
            names.add(program.getKey());
            medians.add(ms);
            peers.add(new double[] {pucMs, jitMs});
            double[] t = ms[0];
            System.out.printf("%-12s %10.1f %10.1f %7.2fx %10.1f %7.2fx %10.1f %7.2fx %10s %10s%n", program.getKey(),
                    t[0], t[1], t[1] / t[0], t[2], t[2] / t[0], t[3], t[3] / t[0],
                    puc == null ? "-" : String.format("%.1f", pucMs), jit == null ? "-" : String.format("%.1f", jitMs));
        }
        int n = names.size();
        System.out.println();
        System.out.println("wall ms (median) / whole-process CPU ms (mean; all threads of the JVM, GC and JIT compilers"
                + " included, during the same runs):");
        System.out.printf("  %-12s %17s %17s %17s %17s%n", "program", "raw Luaj", "interp.", "scriptbox", "asm");
        for (int p = 0; p < n; p++) {
            double[][] ms = medians.get(p);
            StringBuilder row = new StringBuilder(String.format("  %-12s", names.get(p)));
            for (int v = 0; v < nv; v++) {
                row.append(String.format(" %17s", String.format("%.1f / %.1f", ms[1][v], ms[2][v])));
            }
            System.out.println(row);
        }
        System.out.println();
        System.out.printf("geomean interp. / raw Luaj: %.2fx (goal <= 1.10x)%n", geomean(medians, 0, 1, 0));
        System.out.printf("geomean scriptbox / raw Luaj: %.2fx; scriptbox / interp.: %.2fx%n", geomean(medians, 0, 2, 0),
                geomean(medians, 0, 2, 1));
        System.out.printf("geomean asm / raw Luaj: %.2fx; asm / scriptbox (default): %.2fx%n",
                geomean(medians, 0, 3, 0), geomean(medians, 0, 3, 2));
        if (puc != null || jit != null) {
            peerRatios(names, medians, peers, puc != null, jit != null);
        }
        if (only != null) {
            return;
        }
        Function<String, String> extras = instance(new URLClassLoader(sandboxJars, ClassLoader.getPlatformClassLoader()),
                "org.scriptbox.benchmarks.SandboxedExtras");
        System.out.print(extras.apply(thousandLineScript()));
        Function<String, String> compiledExtras = instance(new URLClassLoader(sandboxJars,
                ClassLoader.getPlatformClassLoader()), "org.scriptbox.benchmarks.CompiledExtras");
        System.out.print(compiledExtras.apply(thousandLineScript()));
    }

    /** Geometric mean over the programs of clock {@code clock}: variant {@code v} / variant {@code w}. */
    static double geomean(List<double[][]> medians, int clock, int v, int w) {
        double log = 0;
        for (double[][] ms : medians) {
            log += Math.log(ms[clock][v] / ms[clock][w]);
        }
        return Math.exp(log / medians.size());
    }

    /**
     * The engine (default mode, and asm) against lua5.4 and LuaJIT, per program and as geomeans, for thread
     * CPU and for whole-process CPU of the JVM (the peers are single-threaded: their CPU is their process's),
     * with the goals: <= 0.5x lua5.4 and <= 1.5x LuaJIT (geomean), no program slower than lua5.4.
     */
    static void peerRatios(List<String> names, List<double[][]> medians, List<double[]> peers, boolean hasPuc,
            boolean hasJit) {
        String[] clocks = {"thread CPU", "wall", "whole-process CPU"};
        System.out.println();
        System.out.println("against the native peers (their os.clock CPU; JVM: thread CPU | whole-process CPU):");
        System.out.printf("  %-12s %23s %23s %23s %23s%n", "program", "scriptbox / lua5.4", "asm / lua5.4",
                "scriptbox / luajit", "asm / luajit");
        for (int p = 0; p < names.size(); p++) {
            double[][] ms = medians.get(p);
            double[] peer = peers.get(p);
            StringBuilder row = new StringBuilder(String.format("  %-12s", names.get(p)));
            for (int k = 0; k < 2; k++) {
                for (int v : new int[] {2, 3}) {
                    row.append(String.format(" %23s", Double.isNaN(peer[k]) ? "-"
                            : String.format("%.2fx | %.2fx", ms[0][v] / peer[k], ms[2][v] / peer[k])));
                }
            }
            System.out.println(row);
        }
        String[] variantNames = {null, null, "scriptbox", "asm"};
        for (int v : new int[] {2, 3}) {
            for (int k = 0; k < 2; k++) {
                if (k == 0 ? !hasPuc : !hasJit) {
                    continue;
                }
                String peerName = k == 0 ? "lua5.4" : "luajit";
                for (int clock : new int[] {0, 2, 1}) {
                    double log = 0;
                    for (int p = 0; p < names.size(); p++) {
                        log += Math.log(medians.get(p)[clock][v] / peers.get(p)[k]);
                    }
                    double g = Math.exp(log / names.size());
                    System.out.printf("geomean %s / %s%s: %.2fx%s%n", variantNames[v], peerName,
                            clock == 0 ? "" : ", " + clocks[clock], g,
                            clock == 0 ? (k == 0 ? " (goal <= 0.50x)" : " (goal <= 1.50x)") : "");
                }
            }
            if (hasPuc) {
                List<String> slower = new ArrayList<>();
                for (int p = 0; p < names.size(); p++) {
                    double r = medians.get(p)[0][v] / peers.get(p)[0];
                    if (r > 1) {
                        slower.add(String.format("%s %.2fx", names.get(p), r));
                    }
                }
                System.out.printf("programs slower than lua5.4 (%s, thread CPU): %d%s (goal: none)%n", variantNames[v],
                        slower.size(), slower.isEmpty() ? "" : ": " + String.join(", ", slower));
            }
        }
        if (hasPuc) {
            System.out.printf("geomean interp. / lua5.4: %.2fx%n", geomeanPeer(medians, peers, 1, 0));
        }
    }

    static double geomeanPeer(List<double[][]> medians, List<double[]> peers, int v, int k) {
        double log = 0;
        for (int p = 0; p < medians.size(); p++) {
            log += Math.log(medians.get(p)[0][v] / peers.get(p)[k]);
        }
        return Math.exp(log / medians.size());
    }

    /**
     * At least {@code runs} runs and at least {@link #WARMUP_NANOS}: Luaj's interpreter loop is one huge
     * method, and C2 needs a while to compile it (with the budget's hooks inlined) past OSR and C1 code.
     */
    static Object[] warmUp(BiFunction<String, Integer, Object[]> variant, String src, int runs) {
        long t0 = System.nanoTime();
        Object[] out = variant.apply(src, runs);
        while (System.nanoTime() - t0 < WARMUP_NANOS) {
            out = variant.apply(src, 1);
        }
        return out;
    }

    /** Results must agree; numbers are compared with a relative tolerance (formatting differs). */
    static boolean sameResult(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            double x = Double.parseDouble(a);
            double y = Double.parseDouble(b);
            return Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x)); // Luaj prints 7 digits
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static double mean(long[] nanos) {
        return Arrays.stream(nanos).average().orElse(Double.NaN) / 1e6;
    }

    static double median(long[] nanos, int skip) {
        long[] measured = Arrays.copyOfRange(nanos, skip, nanos.length);
        Arrays.sort(measured);
        int m = measured.length;
        double mid = m % 2 == 1 ? measured[m / 2] : (measured[m / 2 - 1] + measured[m / 2]) / 2.0;
        return mid / 1e6;
    }

    /** A 1,000-line script of ordinary code: functions, locals, loops, tables, strings. */
    static String thousandLineScript() {
        StringBuilder sb = new StringBuilder();
        int lines = 0;
        int f = 0;
        while (lines < 1000) {
            sb.append("local function f").append(f).append("(a, b)\n");
            sb.append("  local t = {x = a, y = b, name = 'item").append(f).append("'}\n");
            sb.append("  for i = 1, 10 do\n");
            sb.append("    if i % 2 == 0 then t.x = t.x + i else t.y = t.y - i end\n");
            sb.append("  end\n");
            sb.append("  local s = string.format('%d:%s', t.x, t.name) .. tostring(t.y)\n");
            sb.append("  return s, #s\n");
            sb.append("end\n");
            lines += 8;
            f++;
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    static <T> T instance(ClassLoader loader, String className) throws Exception {
        return (T) loader.loadClass(className).getDeclaredConstructor().newInstance();
    }

    static Path libFolder() throws Exception {
        Path self = Paths.get(EngineBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path lib = (Files.isDirectory(self) ? self.getParent() : self.getParent()).resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("no " + lib + ": build with mvn -B -pl benchmarks -am package first");
        }
        return lib;
    }

    static URL jar(Path lib, String name) throws IOException {
        Path jar = lib.resolve(name + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("missing " + jar);
        }
        return jar.toUri().toURL();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = EngineBenchmark.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String stringOption(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    private static int intOption(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return dflt;
    }

    /** PUC Lua or LuaJIT as a separate process; the program is timed inside the process with os.clock. */
    static final class NativeLua {
        private final String command;
        private final Path dir;

        private NativeLua(String command, Path dir) {
            this.command = command;
            this.dir = dir;
        }

        static NativeLua find(String command) throws IOException {
            for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!p.isEmpty() && Files.isExecutable(Paths.get(p, command))) {
                    Path dir = Files.createTempDirectory("scriptbox-bench");
                    Files.writeString(dir.resolve("timer.lua"), "local f = assert(loadfile(arg[1]))\n"
                            + "local t0 = os.clock()\nf()\nio.write(string.format('%.6f', os.clock() - t0))\n");
                    return new NativeLua(command, dir);
                }
            }
            System.out.println(command + " not installed: skipped (apt-get install -y lua5.4 luajit)");
            return null;
        }

        double medianMillis(String source, int runs) throws Exception {
            Path program = dir.resolve("program.lua");
            Files.writeString(program, source);
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Process p = new ProcessBuilder(command, dir.resolve("timer.lua").toString(), program.toString())
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException(command + " failed: " + out);
                }
                times.add(Double.parseDouble(out) * 1000);
            }
            times.sort(null);
            int m = times.size();
            return m % 2 == 1 ? times.get(m / 2) : (times.get(m / 2 - 1) + times.get(m / 2)) / 2;
        }
    }
}
