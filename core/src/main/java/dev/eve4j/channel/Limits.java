package dev.eve4j.channel;

/** The documented limits of the operator channel, enforced by {@link PayloadValidator}. */
public final class Limits {
  public static final int MAX_LABELS = 10;
  public static final int MAX_LABEL_LENGTH = 50;
  public static final int MAX_SUGGESTIONS = 5;
  public static final int MAX_ATTACHMENTS = 10;
  public static final int MIN_QUESTIONS = 1;
  public static final int MAX_QUESTIONS = 4;
  public static final int MIN_QUESTION_OPTIONS = 2;
  public static final int MAX_QUESTION_OPTIONS = 4;
  public static final int MAX_PUSH_MANY_VESSELS = 100;
  public static final int MAX_EXTERNAL_ID_LENGTH = 255;
  /** Only the tail of a {@code tokenStream} is kept. */
  public static final int TOKEN_STREAM_KEEP = 8000;
  public static final int MAX_PAGE = 100;
  public static final int DEFAULT_PAGE = 50;
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
  /** Messages handed to the agent as {@code context} on {@code message.user}. */
  public static final int CONTEXT_MESSAGES = 10;

  private Limits() {}
}
