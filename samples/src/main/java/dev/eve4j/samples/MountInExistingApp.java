package dev.eve4j.samples;

import dev.eve4j.EveRuntime;
import dev.eve4j.agent.Agent;
import dev.eve4j.model.ScriptedModel;
import dev.eve4j.servlet.EveServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An existing servlet application that adds an agent next to its own servlets: one {@link
 * EveRuntime}, one {@link EveServlet} mapped at {@code /eve/v1/*}, nothing else changes.
 *
 * <pre>
 * java -cp ... dev.eve4j.samples.MountInExistingApp [port]     (default 8080)
 * curl http://127.0.0.1:8080/hello
 * java -cp ... dev.eve4j.samples.PlainHttpClient http://127.0.0.1:8080/eve/v1 "hello there"
 * </pre>
 *
 * <p>The same two registrations work in any Servlet 6 container, e.g. from a {@code
 * ServletContextListener} with {@code context.addServlet(...)} and {@code setAsyncSupported(true)}.
 */
public final class MountInExistingApp {

  private MountInExistingApp() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;

    // The app's own agent; swap ScriptedModel for a real LanguageModel in production.
    Agent agent = new Agent("support-bot", "You help customers.", ScriptedModel.create());
    EveRuntime runtime = EveRuntime.builder().agent(agent).build();

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setStopTimeout(5_000);

    ServletContextHandler app = new ServletContextHandler();
    app.setContextPath("/");
    app.addServlet(new ServletHolder("hello", new HelloServlet()), "/hello");
    ServletHolder eve = new ServletHolder("eve", new EveServlet(runtime));
    // Event streams wait for the agent without holding a thread: EveServlet needs async support.
    eve.setAsyncSupported(true);
    app.addServlet(eve, "/eve/v1/*");
    server.setHandler(app);

    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.stop();
                  } catch (Exception e) {
                    // The grace period ran out: open event streams never finish by themselves,
                    // so Jetty cut them. (EveServer stops the context first to end them cleanly.)
                  } finally {
                    runtime.close();
                  }
                },
                "sample-shutdown"));
    server.start();
    System.out.println("hello:  http://127.0.0.1:" + connector.getLocalPort() + "/hello");
    System.out.println("agent:  http://127.0.0.1:" + connector.getLocalPort() + "/eve/v1");
    server.join();
  }

  /** Stands for whatever the application already serves. */
  static final class HelloServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setContentType("text/plain; charset=utf-8");
      byte[] hello = "hello from the existing app\n".getBytes(StandardCharsets.UTF_8);
      response.getOutputStream().write(hello);
    }
  }
}
