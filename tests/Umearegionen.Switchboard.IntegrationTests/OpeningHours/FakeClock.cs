namespace Umearegionen.Switchboard.IntegrationTests.OpeningHours;

/// <summary>Instants for tests that move the service's fake clock.</summary>
public static class FakeClock
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    /// <summary>
    /// A Wednesday of an ordinary week (no holiday or eve from Monday to Friday) at least a week after
    /// the clock's present: the fake clock only moves forward.
    /// </summary>
    public static DateOnly WednesdayAhead(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock)
    {
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Stockholm).DateTime).AddDays(7);
        // The whole week ordinary: tests go on to the Thursday or look for the next opening, and a
        // shared app's clock moves a week on per test, into Christmas or Easter weeks.
        while (date.DayOfWeek != DayOfWeek.Wednesday
               || Enumerable.Range(-2, 5).Any(d => Switchboard.OpeningHours.Domain.SwedishCalendar.Classify(date.AddDays(d)) is not null))
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
