package dev.eve4j.bench;

import java.util.Arrays;

/** Every sample of one figure (e.g. microseconds of delay), for exact percentiles. Not thread-safe. */
final class Recorder {
  private int[] values = new int[1024];
  private int size;

  void add(long value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, values.length * 2);
    }
    values[size++] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, value));
  }

  int size() {
    return size;
  }

  /** Adds every sample of {@code other}. */
  void addAll(Recorder other) {
    for (int i = 0; i < other.size; i++) {
      add(other.values[i]);
    }
  }

  /** p50, p99 and max (0s when empty). */
  Percentiles percentiles() {
    if (size == 0) {
      return new Percentiles(0, 0, 0, 0);
    }
    int[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    return new Percentiles(at(sorted, 0.50), at(sorted, 0.99), sorted[size - 1], size);
  }

  private static long at(int[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  record Percentiles(long p50, long p99, long max, int count) {}
}
