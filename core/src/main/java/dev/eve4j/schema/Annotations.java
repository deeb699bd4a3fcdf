package dev.eve4j.schema;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/**
 * The properties and items of one instance location that successful subschemas have evaluated:
 * what {@code unevaluatedProperties} and {@code unevaluatedItems} need. Only allocated below a
 * schema that uses one of them, so ordinary schemas pay nothing. Confined to one evaluation.
 */
final class Annotations {
  private Set<String> properties;
  private boolean allProperties;
  private int prefixItems;
  private boolean allItems;
  private BitSet containsItems;

  void property(String name) {
    if (!allProperties) {
      if (properties == null) {
        properties = new HashSet<>();
      }
      properties.add(name);
    }
  }

  void allProperties() {
    allProperties = true;
    properties = null;
  }

  boolean evaluated(String name) {
    return allProperties || properties != null && properties.contains(name);
  }

  void prefixItems(int count) {
    prefixItems = Math.max(prefixItems, count);
  }

  void allItems() {
    allItems = true;
  }

  void containsItem(int index) {
    if (containsItems == null) {
      containsItems = new BitSet();
    }
    containsItems.set(index);
  }

  boolean evaluated(int index) {
    return allItems || index < prefixItems || containsItems != null && containsItems.get(index);
  }

  /** Adds what a successful subschema at the same instance location evaluated. */
  void merge(Annotations o) {
    if (o.allProperties) {
      allProperties();
    } else if (o.properties != null) {
      for (String p : o.properties) {
        property(p);
      }
    }
    prefixItems(o.prefixItems);
    allItems |= o.allItems;
    if (o.containsItems != null) {
      if (containsItems == null) {
        containsItems = new BitSet();
      }
      containsItems.or(o.containsItems);
    }
  }
}
