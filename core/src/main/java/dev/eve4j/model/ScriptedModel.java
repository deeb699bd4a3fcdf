package dev.eve4j.model;

import dev.eve4j.protocol.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A deterministic, offline model: the default of the standalone server and the model of the
 * tests. Its rules mirror the mock model of the recorded eve traces, chosen by the latest user
 * message (prefix, case-insensitive):
 * <ul>
 *   <li>{@code fail: x}: the call fails with "mock model failure: x";</li>
 *   <li>{@code slow: x}: reasoning "Going slowly.", then 40 text deltas {@code w01 }…{@code w40 },
 *       {@link #SLOW_INTERVAL} apart;</li>
 *   <li>{@code slowthink: x}: 40 reasoning deltas {@code r01 }…, then "Thought slowly about: x";</li>
 *   <li>compaction calls answer "Checkpoint: mock summary.";</li>
 *   <li>anything else: reasoning "Thinking about it." in two deltas, then "Echo: &lt;text&gt;" word by
 *       word.</li>
 * </ul>
 * Every call reports 10 input and 5 output tokens. Thread-safe.
 */
public final class ScriptedModel implements LanguageModel {
  public static final Duration SLOW_INTERVAL = Duration.ofMillis(150);
  public static final TokenUsage STEP_USAGE = TokenUsage.of(10, 5);
  private static final ScheduledExecutorService SHARED = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "eve4j-scripted-model");
    t.setDaemon(true);
    return t;
  });

  private final String id;
  private final ScheduledExecutorService scheduler;

  private ScriptedModel(String id, ScheduledExecutorService scheduler) {
    this.id = Objects.requireNonNull(id, "id");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /** The scripted model with id {@code eve4j/scripted}, on a shared daemon timer thread. */
  public static ScriptedModel create() {
    return new ScriptedModel("eve4j/scripted", SHARED);
  }

  /** A scripted model with its own id and timer (for tests that control time). */
  public static ScriptedModel create(String id, ScheduledExecutorService scheduler) {
    return new ScriptedModel(id, scheduler);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public ModelCall stream(ModelRequest request, ModelListener listener) {
    Call call = new Call(listener);
    String text = request.latestUserText();
    String lower = text.toLowerCase(Locale.ROOT);
    if (request.purpose() == ModelRequest.Purpose.COMPACTION) {
      call.now(l -> {
        l.onTextDelta("Checkpoint: mock summary.");
        l.onFinish("stop", STEP_USAGE);
      });
    } else if (lower.startsWith("fail:")) {
      String what = text.substring(5).trim();
      call.now(l -> l.onError(new IllegalStateException("mock model failure: " + what)));
    } else if (lower.startsWith("slowthink:")) {
      String what = text.substring(10).trim();
      List<Consumer<ModelListener>> steps = new ArrayList<>();
      for (int i = 1; i <= 40; i++) {
        String d = String.format(Locale.ROOT, "r%02d ", i);
        steps.add(l -> l.onReasoningDelta(d));
      }
      steps.add(l -> {
        l.onTextDelta("Thought slowly about: " + what);
        l.onFinish("stop", STEP_USAGE);
      });
      call.paced(steps);
    } else if (lower.startsWith("slow:")) {
      List<Consumer<ModelListener>> steps = new ArrayList<>();
      steps.add(l -> l.onReasoningDelta("Going slowly."));
      for (int i = 1; i <= 40; i++) {
        String d = String.format(Locale.ROOT, "w%02d ", i);
        steps.add(l -> l.onTextDelta(d));
      }
      steps.add(l -> l.onFinish("stop", STEP_USAGE));
      call.paced(steps);
    } else {
      call.now(l -> {
        l.onReasoningDelta("Thinking ");
        l.onReasoningDelta("about it.");
        for (String word : words("Echo: " + text)) {
          l.onTextDelta(word);
        }
        l.onFinish("stop", STEP_USAGE);
      });
    }
    return call;
  }

  /** Splits after each space, keeping it: "Echo: hello there" -> "Echo: ", "hello ", "there". */
  static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == ' ') {
        out.add(s.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < s.length()) {
      out.add(s.substring(start));
    }
    return out;
  }

  private final class Call implements ModelCall {
    private final ModelListener listener;
    private volatile boolean cancelled;
    private volatile ScheduledFuture<?> future;

    Call(ModelListener listener) {
      this.listener = listener;
    }

    /** Runs the whole script on the timer thread, at once (asynchronously, as a real model). */
    void now(Consumer<ModelListener> script) {
      future = scheduler.schedule(() -> {
        if (!cancelled) {
          script.accept(guarded());
        }
      }, 0, TimeUnit.MILLISECONDS);
    }

    /** Runs each step {@link #SLOW_INTERVAL} after the previous one. */
    void paced(List<Consumer<ModelListener>> steps) {
      schedule(steps, 0);
    }

    private void schedule(List<Consumer<ModelListener>> steps, int i) {
      if (cancelled || i >= steps.size()) {
        return;
      }
      future = scheduler.schedule(() -> {
        if (cancelled) {
          return;
        }
        steps.get(i).accept(guarded());
        schedule(steps, i + 1);
      }, i == 0 ? 0 : SLOW_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Drops every callback after cancel, so a cancelled call stays silent. */
    private ModelListener guarded() {
      return new ModelListener() {
        @Override
        public void onReasoningDelta(String delta) {
          if (!cancelled) {
            listener.onReasoningDelta(delta);
          }
        }

        @Override
        public void onTextDelta(String delta) {
          if (!cancelled) {
            listener.onTextDelta(delta);
          }
        }

        @Override
        public void onFinish(String finishReason, TokenUsage usage) {
          if (!cancelled) {
            listener.onFinish(finishReason, usage);
          }
        }

        @Override
        public void onError(Throwable error) {
          if (!cancelled) {
            listener.onError(error);
          }
        }
      };
    }

    @Override
    public void cancel() {
      cancelled = true;
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
