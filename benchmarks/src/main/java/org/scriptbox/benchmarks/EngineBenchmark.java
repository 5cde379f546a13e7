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
    private static final String[] PROGRAMS = {"fib", "loops", "nbody", "binarytrees", "strings", "sort", "tables"};

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

        System.out.printf("JVM %s %s, %d cores, %d runs after >= %d warm-up runs and >= 2 s, median CPU ms of the running thread%n",
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
        double logRatio = 0;
        double logCompiled = 0;
        double logCompiledVsBox = 0;
        double logCompiledVsPuc = 0;
        double logAsm = 0;
        double logAsmVsPuc = 0;
        double logPuc = 0;
        double logJit = 0;
        Map<String, String> sources = new LinkedHashMap<>();
        String only = stringOption(args, "--only", null);
        for (String name : PROGRAMS) {
            if (only != null && !only.equals(name)) {
                continue;
            }
            sources.put(name, resource("bench/" + name + ".lua"));
        }
        for (Map.Entry<String, String> program : sources.entrySet()) {
            String src = program.getValue();
            // A fresh class loader per program and variant: no JIT profile is shared between the two
            // variants, nor carried over from one program to the next.
            BiFunction<String, Integer, Object[]> raw = instance(new URLClassLoader(rawJars,
                    ClassLoader.getPlatformClassLoader()), "org.scriptbox.benchmarks.RawLuajRunner");
            BiFunction<String, Integer, Object[]> sandboxed = instance(new URLClassLoader(sandboxJars,
                    ClassLoader.getPlatformClassLoader()), "org.scriptbox.benchmarks.SandboxedRunner");
            BiFunction<String, Integer, Object[]> compiled = instance(new URLClassLoader(sandboxJars,
                    ClassLoader.getPlatformClassLoader()), "org.scriptbox.benchmarks.CompiledRunner");
            BiFunction<String, Integer, Object[]> asm = instance(new URLClassLoader(sandboxJars,
                    ClassLoader.getPlatformClassLoader()), "org.scriptbox.benchmarks.AsmRunner");
            // Warm all up, then alternate single runs so that load from other processes hits them alike.
            Object[] rawOut = warmUp(raw, src, warmup);
            Object[] boxOut = warmUp(sandboxed, src, warmup);
            Object[] compiledOut = warmUp(compiled, src, warmup);
            Object[] asmOut = warmUp(asm, src, warmup);
            long[] rawNanos = new long[runs];
            long[] boxNanos = new long[runs];
            long[] compiledNanos = new long[runs];
            long[] asmNanos = new long[runs];
            for (int i = 0; i < runs; i++) {
                rawOut = raw.apply(src, 1);
                boxOut = sandboxed.apply(src, 1);
                compiledOut = compiled.apply(src, 1);
                asmOut = asm.apply(src, 1);
                rawNanos[i] = ((long[]) rawOut[0])[0];
                boxNanos[i] = ((long[]) boxOut[0])[0];
                compiledNanos[i] = ((long[]) compiledOut[0])[0];
                asmNanos[i] = ((long[]) asmOut[0])[0];
            }
            if (!sameResult((String) rawOut[1], (String) boxOut[1])) {
                throw new IllegalStateException(program.getKey() + ": raw Luaj returned " + rawOut[1]
                        + " but the sandboxed interpreter " + boxOut[1]);
            }
            if (!sameResult((String) rawOut[1], (String) compiledOut[1])) {
                throw new IllegalStateException(program.getKey() + ": raw Luaj returned " + rawOut[1]
                        + " but scriptbox (adaptive) " + compiledOut[1]);
            }
            if (!sameResult((String) rawOut[1], (String) asmOut[1])) {
                throw new IllegalStateException(program.getKey() + ": raw Luaj returned " + rawOut[1]
                        + " but asm " + asmOut[1]);
            }
            double rawMs = median(rawNanos, 0);
            double boxMs = median(boxNanos, 0);
            double compiledMs = median(compiledNanos, 0);
            double asmMs = median(asmNanos, 0);
            logAsm += Math.log(asmMs / rawMs);
            logRatio += Math.log(boxMs / rawMs);
            logCompiled += Math.log(compiledMs / rawMs);
            logCompiledVsBox += Math.log(compiledMs / boxMs);
            String pucCell = "-";
            String jitCell = "-";
            if (puc != null) {
                double ms = puc.medianMillis(src, runs);
                logPuc += Math.log(ms / rawMs);
                logCompiledVsPuc += Math.log(compiledMs / ms);
                logAsmVsPuc += Math.log(asmMs / ms);
                pucCell = String.format("%.1f", ms);
            }
            if (jit != null) {
                double ms = jit.medianMillis(src, runs);
                logJit += Math.log(ms / rawMs);
                jitCell = String.format("%.1f", ms);
            }
            System.out.printf("%-12s %10.1f %10.1f %7.2fx %10.1f %7.2fx %10.1f %7.2fx %10s %10s%n", program.getKey(),
                    rawMs, boxMs, boxMs / rawMs, compiledMs, compiledMs / rawMs, asmMs, asmMs / rawMs, pucCell, jitCell);
        }
        int n = sources.size();
        System.out.printf("geomean interp. / raw Luaj: %.2fx (goal <= 1.10x)%n", Math.exp(logRatio / n));
        System.out.printf("geomean scriptbox / raw Luaj: %.2fx; scriptbox / interp.: %.2fx%n", Math.exp(logCompiled / n),
                Math.exp(logCompiledVsBox / n));
        System.out.printf("geomean asm / raw Luaj: %.2fx; asm / scriptbox (adaptive): %.2fx%n",
                Math.exp(logAsm / n), Math.exp((logAsm - logCompiled) / n));
        if (puc != null) {
            System.out.printf("geomean asm / lua5.4: %.2fx%n", Math.exp(logAsmVsPuc / n));
        }
        if (jit != null) {
            System.out.printf("geomean asm / luajit: %.2fx%n", Math.exp(logAsm / n - logJit / n));
        }
        if (puc != null) {
            System.out.printf("geomean scriptbox / lua5.4: %.2fx (goal <= 2.0x); interp. / lua5.4: %.2fx;"
                    + " lua5.4 / raw Luaj: %.2fx%n", Math.exp(logCompiledVsPuc / n), Math.exp((logRatio - logPuc) / n),
                    Math.exp(logPuc / n));
        }
        if (jit != null) {
            System.out.printf("geomean scriptbox / luajit: %.2fx; luajit / raw Luaj: %.2fx%n",
                    Math.exp(logCompiled / n - logJit / n), Math.exp(logJit / n));
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
