package org.scriptbox.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;

/**
 * The container under test: every bundle of the runtime's assembled bundle folder (the same list the
 * launcher starts), with FileInstall watching a fresh etc folder and a fresh deploy folder per test class.
 */
public final class Distribution {
    private Distribution() {
    }

    public static Path runtimeHome() {
        return Paths.get(System.getProperty("scriptbox.runtime", "../runtime")).toAbsolutePath().normalize();
    }

    public static Path bundleFolder() {
        return runtimeHome().resolve("target/scriptbox/bundle");
    }

    /** The runtime's bundles, the test's watched folders, and Pax Exam's JUnit support. */
    public static Option container(Path etc, Path deploy, Path data) {
        List<Option> options = new ArrayList<>();
        options.add(cleanCaches());
        options.add(junitBundles());
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        options.add(frameworkProperty("gosh.args").value("--nointeractive"));
        // the runtime's own Gogo profile: Gogo's default one needs a terminal and fails without one
        options.add(systemProperty("gosh.home").value(runtimeHome().resolve("conf/gosh").toString()));
        options.add(frameworkProperty("felix.log.level").value("1"));
        options.add(frameworkProperty("ds.log.extension").value("true"));   // as in conf/config.properties
        options.add(frameworkProperty("scriptbox.deploy").value(deploy.toString()));
        options.add(frameworkProperty("scriptbox.deploy.quietPeriodMs").value("300"));   // as in conf/config.properties
        options.add(frameworkProperty("scriptbox.data").value(data.toString()));
        options.add(systemProperty("scriptbox.deploy").value(deploy.toString()));
        options.add(systemProperty("scriptbox.data").value(data.toString()));
        // Pax Exam sets system.packages.extra itself; the JDK management API comes by boot delegation instead.
        options.add(frameworkProperty("org.osgi.framework.bootdelegation").value("com.sun.management"));
        options.add(frameworkProperty("felix.fileinstall.dir").value(etc.toString()));
        options.add(frameworkProperty("felix.fileinstall.poll").value("100"));
        options.add(frameworkProperty("felix.fileinstall.noInitialDelay").value("true"));
        options.add(frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
        // HTTP (Felix HTTP Jetty): local only, on a free port, so that containers never compete for 8080
        options.add(frameworkProperty("org.apache.felix.http.host").value("127.0.0.1"));
        options.add(frameworkProperty("org.osgi.service.http.port").value("0"));
        options.add(frameworkProperty("org.apache.felix.http.mbeans").value("true"));   // JettyServerHook, as in the runtime
        // As the launcher does (conf/config.properties): Pax Logging starts first and reads the etc folder's logging
        // configuration itself, so the container's first line is in data/log/scriptbox.log whatever order FileInstall
        // hands etc/ over in (a test without that file keeps Pax Logging's default until FileInstall brings one).
        options.add(frameworkProperty("org.ops4j.pax.logging.property.file")
                .value(etc.resolve("org.ops4j.pax.logging.cfg").toString()));
        // the console appender's level (${scriptbox.stdout.log.level} in that file): problems only on the test's stdout
        options.add(systemProperty("scriptbox.stdout.log.level").value("ERROR"));
        for (Path jar : runtimeBundles()) {
            boolean logging = jar.getFileName().toString().startsWith("pax-logging-");
            // Pax Exam's own bundles start at level 2, provisioned ones at 3
            options.add(logging ? bundle(jar.toUri().toString()).startLevel(1) : bundle(jar.toUri().toString()));
        }
        // Test support shared with driver-modbus's unit tests (not part of the runtime): a Pax Exam probe holds
        // only this module's test classes, so the pymodbus harness comes in as a bundle of its own.
        // The same for the broker, ports and waits the fleet tests share with the fleet bundle's unit tests.
        for (String support : new String[] {"scriptbox.test.modbus.jar", "scriptbox.test.support.jar"}) {
            String jar = System.getProperty(support);
            if (jar != null && java.nio.file.Files.isRegularFile(Paths.get(jar))) {
                options.add(bundle(Paths.get(jar).toUri().toString()));
            }
        }
        return composite(options.toArray(new Option[0]));
    }

    /** The jars of the runtime's bundle folder; fails clearly if the runtime module was not packaged. */
    public static List<Path> runtimeBundles() {
        Path folder = bundleFolder();
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException("no runtime bundle folder at " + folder + ": run mvn package first");
        }
        try (Stream<Path> jars = Files.list(folder)) {
            return jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A fresh etc folder with the deploy folder's FileInstall instance configured as in runtime/etc, for
     * tests that drop scripts or driver jars into the deploy folder.
     */
    public static Path etcWatchingDeployFolder() {
        Path etc = freshFolder("etc");
        try {
            Files.copy(runtimeHome().resolve("etc/org.apache.felix.fileinstall-deploy.cfg"),
                    etc.resolve("org.apache.felix.fileinstall-deploy.cfg"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return etc;
    }

    /** A fresh folder under target/ for one test class. */
    public static Path freshFolder(String name) {
        try {
            Path base = Paths.get("target", "it-folders").toAbsolutePath();
            Files.createDirectories(base);
            return Files.createTempDirectory(base, name + "-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static File file(Path p) {
        return p.toFile();
    }
}
