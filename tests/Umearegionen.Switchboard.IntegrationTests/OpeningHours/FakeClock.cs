namespace Umearegionen.Switchboard.IntegrationTests.OpeningHours;

/// <summary>Instants for tests that move the service's fake clock.</summary>
public static class FakeClock
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    /// <summary>
    /// An ordinary Wednesday (no holiday, eve or day before one) at least a week after the clock's
    /// present: the fake clock only moves forward.
    /// </summary>
    public static DateOnly WednesdayAhead(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock)
    {
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Stockholm).DateTime).AddDays(7);
        while (date.DayOfWeek != DayOfWeek.Wednesday || Switchboard.OpeningHours.Domain.SwedishCalendar.Classify(date) is not null)
        {
            date = date.AddDays(1);
        }

        return date;
    }

    public static DateTimeOffset At(DateOnly date, int hour, int minute)
    {
        var local = date.ToDateTime(new TimeOnly(hour, minute));
        return new DateTimeOffset(local, Stockholm.GetUtcOffset(local));
    }
}
