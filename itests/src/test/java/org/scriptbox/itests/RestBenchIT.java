package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptManager;

/**
 * Benchmark (-Dscriptbox.bench=true, benchmarks/run): a trivial script's run through the REST API
 * (HTTP request -> JSON result, bearer token, JDK HttpClient, keep-alive) beside ScriptManager.execute in
 * the same container and the same run; and the delivery of a script's log line over SSE (run request sent
 * -> the line read from the stream). Prints {@code BENCH rest ...} lines.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RestBenchIT {
    private static final int RUNS = Integer.getInteger("scriptbox.bench.restRuns", 2000);

    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    @Configuration
    public Option[] config() throws Exception {
        Path etc = Distribution.etcWatchingDeployFolder();
        RestTestSupport.configure(etc, java.util.Map.of("admin", "admin"), "");
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    @Test
    public void restRunLatencyBesideExecuteAndSseLogDelivery() throws Exception {
        assumeTrue("benchmark: run with -Dscriptbox.bench=true", Boolean.getBoolean("scriptbox.bench"));
        RestTestSupport api = RestTestSupport.await(context, "admin");
        String token = api.token("admin", "bench", "operator");
        RestClient c = RestClient.anonymous(api.base()).withToken(token);
        assertEquals(201, c.send("PUT", "/scripts/trivial", "{\"source\":\"return 1\"}").status());
        assertEquals(201, c.send("PUT", "/scripts/talker", "{\"source\":\"print('ping ' .. tostring(...))\"}").status());

        long[] rest = new long[RUNS];
        long[] direct = new long[RUNS];
        for (int warm = 0; warm < 300; warm++) {
            c.send("POST", "/scripts/trivial/run", "{}");
            manager.execute("trivial", List.of()).getValue();
        }
        for (int i = 0; i < RUNS; i++) {   // interleaved, so both see the same machine load
            long t0 = System.nanoTime();
            RestClient.Answer a = c.send("POST", "/scripts/trivial/run", "{}");
            rest[i] = System.nanoTime() - t0;
            assertTrue(a.body(), a.body().contains("\"COMPLETED\""));
            t0 = System.nanoTime();
            ExecutionResult r = manager.execute("trivial", List.of()).getValue();
            direct[i] = System.nanoTime() - t0;
            assertTrue(r.succeeded());
        }
        System.out.println(String.format("BENCH rest run (POST /run of 'return 1' -> JSON result, %d runs): p50 %.3f ms, p99 %.3f ms",
                RUNS, pct(rest, 50), pct(rest, 99)));
        System.out.println(String.format("BENCH rest peer ScriptManager.execute in the same run: p50 %.3f ms, p99 %.3f ms",
                pct(direct, 50), pct(direct, 99)));

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(api.base()
                + "/events?script=talker&types=log")).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        assertTrue(lines.readLine().startsWith(": scriptbox events"));
        int n = Math.max(50, RUNS / 10);
        long[] sse = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            manager.execute("talker", List.of((double) i));
            String want = "ping " + i;
            String line;
            while ((line = lines.readLine()) != null && !(line.startsWith("data:") && line.contains(want + "\""))) {
                // other frames: keepalives, blank separators
            }
            sse[i] = System.nanoTime() - t0;
            assertTrue("stream ended", line != null);
        }
        stream.body().close();
        System.out.println(String.format("BENCH rest SSE log line (execute -> line read from the stream, %d lines): p50 %.3f ms, p99 %.3f ms",
                n, pct(sse, 50), pct(sse, 99)));
    }

    private static double pct(long[] nanos, int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)] / 1e6;
    }
}
