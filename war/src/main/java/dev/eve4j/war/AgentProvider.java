package dev.eve4j.war;

import dev.eve4j.agent.Agent;

/**
 * Supplies the agent that the eve4j WAR serves, found with {@link java.util.ServiceLoader}.
 *
 * <p>To serve your own agent, put an implementation (public, with a public no-argument
 * constructor) in {@code WEB-INF/classes} or a jar in {@code WEB-INF/lib}, and name it in {@code
 * META-INF/services/dev.eve4j.war.AgentProvider}. With no provider the WAR serves {@link
 * Agent#scripted()}; with several, the context parameter {@code eve4j.agent} must name one (see
 * {@link EveWarListener}).
 *
 * <p>Threading: the container's deployment thread calls {@link #agent()} once, before any request
 * is served, and may block there (e.g. to read configuration). The returned agent is then used by
 * many threads at once, as every {@link Agent} is.
 */
@FunctionalInterface
public interface AgentProvider {

  /**
   * The agent to serve; must not be null. Throwing fails the deployment with the exception's
   * message.
   */
  Agent agent();
}
