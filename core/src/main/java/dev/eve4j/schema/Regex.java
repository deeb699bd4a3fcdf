package dev.eve4j.schema;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Compiles an ECMA-262 regular expression (the dialect of {@code pattern}) to a {@link Pattern},
 * rewriting the constructs whose meaning differs in Java: {@code $} is end of input (Java would
 * also match before a final line break: a model's trailing newline must not pass
 * {@code ^\d+$}), {@code \s} is Unicode white space, {@code \p{Letter}}-style property names,
 * braced code point escapes, {@code \0}, {@code [\b]}, {@code [} and {@code &} inside classes,
 * {@code [^]} and {@code []}. Stateless.
 */
final class Regex {
  private Regex() {}

  private static final String SPACE =
      "\\t\\n\\x0B\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
          + "\\x{205F}\\x{3000}\\x{FEFF}";
  private static final Map<String, String> CATEGORIES = Map.ofEntries(
      Map.entry("Letter", "L"), Map.entry("Cased_Letter", "LC"), Map.entry("Uppercase_Letter", "Lu"),
      Map.entry("Lowercase_Letter", "Ll"), Map.entry("Titlecase_Letter", "Lt"),
      Map.entry("Modifier_Letter", "Lm"), Map.entry("Other_Letter", "Lo"), Map.entry("Mark", "M"),
      Map.entry("Combining_Mark", "M"), Map.entry("Nonspacing_Mark", "Mn"), Map.entry("Spacing_Mark", "Mc"),
      Map.entry("Enclosing_Mark", "Me"), Map.entry("Number", "N"), Map.entry("Decimal_Number", "Nd"),
      Map.entry("digit", "Nd"), Map.entry("Letter_Number", "Nl"), Map.entry("Other_Number", "No"),
      Map.entry("Punctuation", "P"), Map.entry("punct", "P"), Map.entry("Connector_Punctuation", "Pc"),
      Map.entry("Dash_Punctuation", "Pd"), Map.entry("Open_Punctuation", "Ps"),
      Map.entry("Close_Punctuation", "Pe"), Map.entry("Initial_Punctuation", "Pi"),
      Map.entry("Final_Punctuation", "Pf"), Map.entry("Other_Punctuation", "Po"), Map.entry("Symbol", "S"),
      Map.entry("Math_Symbol", "Sm"), Map.entry("Currency_Symbol", "Sc"), Map.entry("Modifier_Symbol", "Sk"),
      Map.entry("Other_Symbol", "So"), Map.entry("Separator", "Z"), Map.entry("Space_Separator", "Zs"),
      Map.entry("Line_Separator", "Zl"), Map.entry("Paragraph_Separator", "Zp"), Map.entry("Other", "C"),
      Map.entry("Control", "Cc"), Map.entry("cntrl", "Cc"), Map.entry("Format", "Cf"),
      Map.entry("Surrogate", "Cs"), Map.entry("Private_Use", "Co"), Map.entry("Unassigned", "Cn"));
  // Binary properties both dialects know; Java wants them with an "Is" prefix.
  private static final Set<String> BINARY = Set.of("Alphabetic", "Ideographic", "Lowercase", "Uppercase",
      "White_Space", "Hex_Digit", "Join_Control", "Noncharacter_Code_Point", "Assigned");

  static Pattern compile(String ecma) {
    StringBuilder out = new StringBuilder(ecma.length() + 16);
    boolean inClass = false;
    int n = ecma.length();
    for (int i = 0; i < n; i++) {
      char c = ecma.charAt(i);
      if (c == '\\' && i + 1 < n) {
        char e = ecma.charAt(++i);
        int close = ecma.indexOf('}', i);
        if ((e == 'p' || e == 'P') && i + 1 < n && ecma.charAt(i + 1) == '{' && close > 0) {
          out.append('\\').append(e).append('{').append(property(ecma.substring(i + 2, close))).append('}');
          i = close;
        } else if (e == 'u' && i + 1 < n && ecma.charAt(i + 1) == '{' && close > 0) {
          out.append("\\x{").append(ecma, i + 2, close).append('}');
          i = close;
        } else if (e == 's') {
          out.append(inClass ? SPACE : "[" + SPACE + "]");
        } else if (e == 'S') {
          out.append("[^").append(SPACE).append(']'); // inside a class, Java reads this as a union
        } else if (e == '0' && (i + 1 == n || !Character.isDigit(ecma.charAt(i + 1)))) {
          out.append("\\x00");
        } else if (e == 'b' && inClass) {
          out.append("\\x08"); // backspace, in ECMA classes only
        } else {
          out.append('\\').append(e);
        }
      } else if (inClass) {
        if (c == ']') {
          inClass = false;
          out.append(c);
        } else {
          out.append(c == '[' || c == '&' ? "\\" + c : String.valueOf(c)); // literal in ECMA classes
        }
      } else if (c == '[') {
        if (ecma.startsWith("[^]", i)) {
          out.append("(?s:.)");
          i += 2;
        } else if (ecma.startsWith("[]", i)) {
          out.append("(?!)");
          i += 1;
        } else {
          inClass = true;
          out.append(c);
          if (i + 1 < n && ecma.charAt(i + 1) == '^') {
            out.append('^');
            i++;
          }
        }
      } else if (c == '$') {
        out.append("\\z");
      } else {
        out.append(c);
      }
    }
    return Pattern.compile(out.toString());
  }

  private static String property(String name) {
    int eq = name.indexOf('=');
    if (eq < 0) {
      String category = CATEGORIES.get(name);
      return category != null ? category : BINARY.contains(name) ? "Is" + name : name;
    }
    String key = name.substring(0, eq);
    String value = name.substring(eq + 1);
    return switch (key) {
      case "General_Category", "gc" -> "gc=" + CATEGORIES.getOrDefault(value, value);
      case "Script", "sc" -> "sc=" + value;
      default -> name; // Script_Extensions and others: Java has no equivalent and rejects them
    };
  }
}
