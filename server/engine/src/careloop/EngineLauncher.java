package careloop;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts mongo-java-server for CareLoop's local runs and tests.
 *
 * <pre>
 * java -cp "classes:lib/*" careloop.EngineLauncher --host 127.0.0.1 --port 0 --backend memory|h2 [--file db.mv]
 * </pre>
 *
 * Binds exactly the host and port given (port 0 picks a free one), prints one line {@code READY host:port}
 * on stdout once listening, and shuts down cleanly (server stopped, H2 store closed so its data is
 * flushed) on SIGTERM/SIGINT and when stdin reaches end-of-file, so it never outlives its parent.
 * Errors go to stderr with a non-zero exit status.
 *
 * <p>One fix on top of mongo-java-server 1.47.0: findAndModify with {@code new: true} returns the stored
 * document object itself, which is serialised after the collection lock is released, so a concurrent
 * update of the same document can change what the caller receives (two concurrent {@code $inc} debits
 * both "returned" the same balance). The backends below copy that document while still holding the
 * collection's lock, which is what MongoDB guarantees: the post-image of this very update. Updates
 * run under the same lock so their reported nModified counts are right under concurrency too.
 */
public final class EngineLauncher {
  private static final int EXIT_USAGE = 2;
  private static final int EXIT_START_FAILED = 1;

  private final AtomicBoolean stopped = new AtomicBoolean(false);
  private volatile MongoServer server;
  private volatile MongoBackend backend;

  private EngineLauncher() {}

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("engine: " + e.getMessage());
      System.err.println(
          "usage: EngineLauncher --host 127.0.0.1 --port N --backend memory|h2 [--file path/to/db.mv]"
              + " [--ignore-stdin]");
      System.exit(EXIT_USAGE);
      return;
    }
    new EngineLauncher().run(options);
  }

  private void run(Options options) {
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "careloop-engine-shutdown"));
    InetSocketAddress address;
    try {
      backend = createBackend(options);
      server = new MongoServer(backend);
      server.bind(options.host, options.port);
      address = server.getLocalAddress();
    } catch (Throwable e) {
      System.err.println("engine: failed to start on " + options.host + ":" + options.port + ": " + describe(e));
      System.err.flush();
      // Runtime.halt would skip the hook; exit runs it, which closes whatever was opened.
      System.exit(EXIT_START_FAILED);
      return;
    }
    PrintStream out = System.out;
    out.println("READY " + options.host + ":" + address.getPort());
    out.flush();
    if (!options.ignoreStdin) {
      watchStdin();
    }
    // The netty event loop threads keep the JVM alive until stop() runs.
  }

  private static MongoBackend createBackend(Options options) {
    if ("memory".equals(options.backend)) {
      return new MemoryBackend() {
        @Override
        public Document handleCommand(Channel channel, String db, String command, Document query) {
          return consistentFindAndModify(
              this, channel, db, command, query, () -> super.handleCommand(channel, db, command, query));
        }
      };
    }
    File file = new File(options.file).getAbsoluteFile();
    File parent = file.getParentFile();
    if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
      throw new IllegalStateException("cannot create directory " + parent);
    }
    return new H2Backend(file.getPath()) {
      @Override
      public Document handleCommand(Channel channel, String db, String command, Document query) {
        return consistentFindAndModify(
            this, channel, db, command, query, () -> super.handleCommand(channel, db, command, query));
      }
    };
  }

  /**
   * Runs a findAndModify or an update while holding the collection's monitor (the one
   * mongo-java-server's synchronized collections use for every write, and reentrant). Without it, under
   * concurrent writes to one document an update can report {@code nModified: 0} for a change it did
   * make (its before/after comparison sees an object another writer already changed). For
   * findAndModify it also deep-copies the returned document before releasing the lock. Every other
   * command runs unchanged.
   */
  private static Document consistentFindAndModify(
      MongoBackend backend,
      Channel channel,
      String db,
      String command,
      Document query,
      java.util.function.Supplier<Document> handle) {
    boolean serialised = "findandmodify".equalsIgnoreCase(command) || "update".equalsIgnoreCase(command);
    if (!serialised || !(query.get(command) instanceof String)) {
      return handle.get();
    }
    MongoDatabase database = backend.resolveDatabase(db);
    MongoCollection<?> collection = database.resolveCollection((String) query.get(command), false);
    if (collection == null) {
      // Only an upsert that creates the collection gets here; copy the result as early as we can.
      return copyValue(handle.get());
    }
    synchronized (collection) {
      return copyValue(handle.get());
    }
  }

  private static Document copyValue(Document result) {
    Object value = result.get("value");
    if (value instanceof Document) {
      result.put("value", ((Document) value).cloneDeeply());
    }
    return result;
  }

  private void watchStdin() {
    Thread watcher =
        new Thread(
            () -> {
              InputStream in = System.in;
              byte[] buffer = new byte[256];
              try {
                while (in.read(buffer) >= 0) {
                  // Input is ignored; only end-of-file matters.
                }
              } catch (IOException e) {
                // A broken stdin means the parent is gone, same as end-of-file.
              }
              System.exit(0);
            },
            "careloop-engine-stdin");
    watcher.setDaemon(true);
    watcher.start();
  }

  private void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    MongoServer s = server;
    if (s != null) {
      try {
        s.shutdownNow();
      } catch (Throwable e) {
        System.err.println("engine: error while stopping server: " + describe(e));
      }
    }
    MongoBackend b = backend;
    if (b != null) {
      try {
        // Closing an H2 backend commits and closes its MVStore, flushing data to the file.
        b.close();
      } catch (Throwable e) {
        System.err.println("engine: error while closing backend: " + describe(e));
      }
    }
    System.err.flush();
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(e.toString());
    Throwable cause = e.getCause();
    while (cause != null && cause != e) {
      sb.append(" caused by ").append(cause);
      e = cause;
      cause = cause.getCause();
    }
    return sb.toString();
  }

  private static final class Options {
    String host = "127.0.0.1";
    int port = -1;
    String backend = "memory";
    String file;
    boolean ignoreStdin;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--host":
            o.host = value(args, ++i, arg);
            break;
          case "--port":
            String raw = value(args, ++i, arg);
            try {
              o.port = Integer.parseInt(raw);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--port must be a number, got " + raw);
            }
            if (o.port < 0 || o.port > 65535) {
              throw new IllegalArgumentException("--port out of range: " + raw);
            }
            break;
          case "--backend":
            o.backend = value(args, ++i, arg);
            if (!o.backend.equals("memory") && !o.backend.equals("h2")) {
              throw new IllegalArgumentException("--backend must be memory or h2, got " + o.backend);
            }
            break;
          case "--file":
            o.file = value(args, ++i, arg);
            break;
          case "--ignore-stdin":
            o.ignoreStdin = true;
            break;
          default:
            throw new IllegalArgumentException("unknown argument " + arg);
        }
      }
      if (o.port < 0) {
        throw new IllegalArgumentException("--port is required (0 picks a free port)");
      }
      if (o.backend.equals("h2") && (o.file == null || o.file.isEmpty())) {
        throw new IllegalArgumentException("--backend h2 needs --file");
      }
      return o;
    }

    private static String value(String[] args, int i, String name) {
      if (i >= args.length) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      return args[i];
    }
  }
}
