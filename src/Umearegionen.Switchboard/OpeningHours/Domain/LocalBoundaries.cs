namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>
/// Turns the local wall-clock boundaries of opening intervals into real instants, deciding what
/// happens on daylight-saving days, when some local times do not exist and others happen twice.
/// </summary>
/// <remarks>
/// In Europe/Stockholm the last Sunday of March skips 02:00–03:00 and the last Sunday of October
/// repeats it. The choices below keep a unit open for as long as its sign on the door says:
/// <list type="bullet">
/// <item>A local time in the skipped hour maps to the first instant after the gap (03:00 CEST),
/// whether it starts or ends an interval: that is the first moment the clock shows a time at or
/// after it.</item>
/// <item>A start in the repeated hour uses its first occurrence (CEST), so the unit opens the first
/// time the clock shows the opening time.</item>
/// <item>An end in the repeated hour uses its later occurrence (CET), so the unit stays open until
/// the last time the clock shows the closing time.</item>
/// </list>
/// An on-call interval 16:30–08:00 over the October change therefore lasts 16.5 real hours and
/// over the March change 14.5.
/// </remarks>
internal static class LocalBoundaries
{
    public static DateTimeOffset StartInstant(TimeZoneInfo zone, DateTime local) =>
        ToInstant(zone, local, laterWhenAmbiguous: false);

    public static DateTimeOffset EndInstant(TimeZoneInfo zone, DateTime local) =>
        ToInstant(zone, local, laterWhenAmbiguous: true);

    private static DateTimeOffset ToInstant(TimeZoneInfo zone, DateTime local, bool laterWhenAmbiguous)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            return FirstInstantAfterGap(zone, local);
        }

        if (zone.IsAmbiguousTime(local))
        {
            // The larger offset is the earlier instant (summer time, before the clocks go back).
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            var offset = laterWhenAmbiguous ? offsets.Min() : offsets.Max();
            return new DateTimeOffset(local, offset);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>
    /// The transition instant T at which the clock jumps over <paramref name="local"/>. With the
    /// offsets before and after the jump, T lies in (local - after, local - before]; a binary search
    /// finds it to the tick without relying on the zone's rule representation.
    /// </summary>
    private static DateTimeOffset FirstInstantAfterGap(TimeZoneInfo zone, DateTime local)
    {
        // Zones never change offset twice within a day, so a day either side is clear of the gap.
        var before = zone.GetUtcOffset(DateTime.SpecifyKind(local.AddDays(-1) - zone.BaseUtcOffset, DateTimeKind.Utc));
        var after = zone.GetUtcOffset(DateTime.SpecifyKind(local.AddDays(1) - zone.BaseUtcOffset, DateTimeKind.Utc));

        long notYet = (local - after).Ticks;   // still on the old offset
        long already = (local - before).Ticks; // already on the new offset
        while (already - notYet > 1)
        {
            long middle = notYet + ((already - notYet) / 2);
            if (zone.GetUtcOffset(new DateTime(middle, DateTimeKind.Utc)) == after)
            {
                already = middle;
            }
            else
            {
                notYet = middle;
            }
        }

        return new DateTimeOffset(already, TimeSpan.Zero).ToOffset(after);
    }
}
