package dev.eve4j.channel;

import java.util.Optional;

/** The five typed interactions a message may carry, with their wire names and documented shapes. */
public enum InteractionType {
  APPROVAL("approval", "A yes/no decision. Approve is one tap; reject carries an optional reason (required with "
      + "reasonRequired: true); rejectable: false makes a one-way consent gate. editables (text, number, currency, "
      + "date, choice) bound to card fields (editableId) or {{id}} body tokens allow edit-then-approve.",
      "{ action: 'approved' | 'rejected', reason?: string, edits?: { [editableId]: value } }"),
  CHOICE("choice", "Pick one of { id, label } options; allowCustom adds a free-text answer.",
      "{ selected: string | null, customValue: string | null }"),
  CHECKLIST("checklist", "Tick any of { id, label, checked? } options.", "{ selected: string[] }"),
  TEXT_INPUT("text_input", "A free-text answer (placeholder, multiline).", "{ text: string }"),
  QUESTIONS("questions", "A short form: 1-4 questions of 2-4 options each, single or multiSelect, with an optional "
      + "free-text Other (allowOther, default true).",
      "{ answers: [{ questionId: string, selected: string[], other?: string }] }");

  private final String wire;
  private final String description;
  private final String responseShape;

  InteractionType(String wire, String description, String responseShape) {
    this.wire = wire;
    this.description = description;
    this.responseShape = responseShape;
  }

  /** The {@code type} value on the wire, e.g. {@code text_input}. */
  public String wire() {
    return wire;
  }

  public String description() {
    return description;
  }

  /** The shape of a valid response, as documented. */
  public String responseShape() {
    return responseShape;
  }

  public static Optional<InteractionType> fromWire(String s) {
    for (InteractionType t : values()) {
      if (t.wire.equals(s)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
