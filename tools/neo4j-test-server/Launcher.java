// Embedded Neo4j Community test server with Bolt on 127.0.0.1.
//
// Run as a single-file source program (Java 11+), with the classpath produced
// by `mvn dependency:build-classpath` on the pom.xml next to this file:
//
//   java -cp "$(cat target/classpath.txt)" Launcher.java <port> <dataDir>
//
// start.sh does exactly that (plus the --add-opens flags Neo4j needs).
// Prints "READY bolt://127.0.0.1:<port>" once Bolt accepts connections and
// shuts the DBMS down cleanly on SIGTERM/SIGINT (JVM shutdown hook).

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

public class Launcher {

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // build() failures (e.g. port already bound) leave non-daemon
            // threads behind; exit explicitly so the process does not linger.
            t.printStackTrace();
            System.err.println("ERROR: Neo4j test server failed to start: " + t);
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java -cp <classpath> Launcher.java <port> <dataDir>");
            System.exit(2);
        }
        final int port = Integer.parseInt(args[0]);
        final Path home = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(home);

        final Path pluginDir = preparePluginDir(home.resolve("plugins"));
        final long pageCacheMb = Long.getLong("neo4j.pagecache.mb", 96);

        final long t0 = System.nanoTime();
        final DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                // Bolt only, loopback only, no TLS, no auth.
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress("127.0.0.1"))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                // Keep the footprint small; this is a throwaway test server.
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // A cap on each transaction's memory, as a production server should have
                // (db.memory.transaction.max): a runaway query fails instead of filling the heap.
                // No LOAD CSV from file:/// URLs (a production server should set this too).
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size,
                        ByteUnit.mebiBytes(Long.getLong("neo4j.tx.memory.mb", 384)))
                // Fast stop: Netty's default 5 s shutdown quiet period dominates
                // stop time; and don't wait 10 s for transactions left open.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(2))
                // APOC: jar is on the classpath (for its extension factories) and
                // linked into plugin_dir (so the procedure scanner registers it).
                .setConfig(GraphDatabaseSettings.plugin_dir, pluginDir)
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"))
                .build();

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Shutting down Neo4j...");
            System.out.flush();
            long s0 = System.nanoTime();
            try {
                dbms.shutdown();
            } catch (Throwable t) {
                t.printStackTrace();
            }
            System.out.println("Neo4j stopped in " + (System.nanoTime() - s0) / 1_000_000 + " ms.");
            System.out.flush();
            stopped.countDown();
        }, "neo4j-shutdown"));

        // build() returns once the DBMS (and its Bolt connector) has started;
        // also wait for the default database and for the port to accept.
        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(60_000)) {
            System.err.println("ERROR: default database did not become available");
            System.exit(1);
        }
        waitForPort(port, 30_000);

        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("Neo4j " + org.neo4j.kernel.internal.Version.getNeo4jVersion()
                + " started in " + ms + " ms (data: " + home + ")");
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();

        stopped.await();
    }

    /**
     * Links (or copies) the APOC procedure jars found on the classpath into
     * pluginDir: Neo4j only registers procedures/functions it finds by scanning
     * plugin_dir jars; classpath-only @Procedure classes are ignored in embedded
     * mode. apoc-common holds no procedures, only shared classes, so it just
     * stays on the classpath (scanning it would only log NoClassDefFound noise).
     */
    private static Path preparePluginDir(Path pluginDir) throws IOException {
        Files.createDirectories(pluginDir);
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            String name = jar.getFileName() == null ? "" : jar.getFileName().toString();
            if (!(name.startsWith("apoc-") && name.endsWith(".jar")) || name.startsWith("apoc-common-")) {
                continue;
            }
            Path target = pluginDir.resolve(name);
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                Files.createSymbolicLink(target, jar.toAbsolutePath());
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return pluginDir;
    }

    private static void waitForPort(int port, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    System.err.println("ERROR: Bolt port " + port + " not accepting connections");
                    System.exit(1);
                }
                Thread.sleep(100);
            }
        }
    }
}
