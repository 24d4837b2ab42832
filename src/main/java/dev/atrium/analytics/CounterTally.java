package dev.atrium.analytics;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What committed activities add to the dashboard's counters, summed over one UTC day until
 * {@link DashboardCounters} writes it to Redis: activities per minute, the users active in each
 * of the last minutes, the day's totals and the day's actions. Not thread-safe.
 */
final class CounterTally {
  private final LocalDate day;
  final Map<Long, Integer> perMinute = new HashMap<>();
  final Map<Long, Set<String>> usersPerMinute = new HashMap<>();
  final Map<String, Integer> totals = new HashMap<>();
  final Map<String, Integer> actions = new HashMap<>();
  private int activities;

  CounterTally(LocalDate day) {
    this.day = day;
  }

  LocalDate day() {
    return day;
  }

  /** Activities added so far. */
  int activities() {
    return activities;
  }

  /**
   * Counts the activities as of {@code now}: a minute counts if it is within the chart's hour (or
   * at most 5 minutes ahead), a user if active within the last {@link DashboardCounters#ACTIVE_WINDOW}
   * minutes, the day's figures if the activity happened on this tally's day.
   */
  void add(Iterable<Activity> committed, Instant now) {
    long nowMinute = now.getEpochSecond() / 60;
    for (Activity a : committed) {
      activities++;
      long minute = a.occurredAt().getEpochSecond() / 60;
      if (minute > nowMinute - DashboardCounters.MINUTES && minute <= nowMinute + 5) {
        perMinute.merge(minute, 1, Integer::sum);
        if (minute > nowMinute - DashboardCounters.ACTIVE_WINDOW) {
          usersPerMinute.computeIfAbsent(minute, m -> new HashSet<>()).add(a.userId().toString());
        }
      }
      if (LocalDate.ofInstant(a.occurredAt(), ZoneOffset.UTC).equals(day)) {
        totals.merge("activities", 1, Integer::sum);
        actions.merge(a.action(), 1, Integer::sum);
        if (a.serverRecorded(Activity.LOGIN)) {
          totals.merge("logins", 1, Integer::sum);
        } else if (a.serverRecorded(Activity.REGISTER)) {
          totals.merge("registrations", 1, Integer::sum);
        } else if (a.serverRecorded(Activity.FILE_UPLOAD)) {
          totals.merge("uploads", 1, Integer::sum);
        }
      }
    }
  }
}
