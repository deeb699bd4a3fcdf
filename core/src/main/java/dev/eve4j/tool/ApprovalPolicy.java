package dev.eve4j.tool;

import com.google.gson.JsonObject;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * When a tool call needs a person's approval before it runs. Immutable and thread-safe.
 * A call that needs approval parks its turn ({@code input.requested}, {@code turn.waiting}) until
 * an {@code inputResponses} answer approves or denies it.
 */
public final class ApprovalPolicy {
  private enum Kind {
    NEVER, ALWAYS, ONCE_PER_SESSION, WHEN
  }

  private static final ApprovalPolicy NEVER = new ApprovalPolicy(Kind.NEVER, null);
  private static final ApprovalPolicy ALWAYS = new ApprovalPolicy(Kind.ALWAYS, null);
  private static final ApprovalPolicy ONCE = new ApprovalPolicy(Kind.ONCE_PER_SESSION, null);

  private final Kind kind;
  private final Predicate<JsonObject> predicate;

  private ApprovalPolicy(Kind kind, Predicate<JsonObject> predicate) {
    this.kind = kind;
    this.predicate = predicate;
  }

  /** Runs without asking (the default). */
  public static ApprovalPolicy never() {
    return NEVER;
  }

  /** Asks before every call. */
  public static ApprovalPolicy always() {
    return ALWAYS;
  }

  /** Asks before the first call in a session; once approved there, later calls run without asking. */
  public static ApprovalPolicy oncePerSession() {
    return ONCE;
  }

  /** Asks when the predicate holds for the (schema-valid) input, e.g. {@code in -> in.get("amount").getAsInt() > 100}. */
  public static ApprovalPolicy when(Predicate<JsonObject> needsApproval) {
    return new ApprovalPolicy(Kind.WHEN, Objects.requireNonNull(needsApproval, "needsApproval"));
  }

  /** Whether this call needs approval, given whether the tool was approved before in the session. */
  public boolean requiresApproval(JsonObject input, boolean approvedBeforeInSession) {
    switch (kind) {
      case NEVER:
        return false;
      case ALWAYS:
        return true;
      case ONCE_PER_SESSION:
        return !approvedBeforeInSession;
      default:
        return predicate.test(input);
    }
  }

  /** Whether any call may need approval (shown as {@code requiresApproval} in {@code /info}). */
  public boolean mayRequireApproval() {
    return kind != Kind.NEVER;
  }
}
