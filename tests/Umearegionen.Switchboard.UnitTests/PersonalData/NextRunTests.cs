using Umearegionen.Switchboard.PersonalData;

namespace Umearegionen.Switchboard.UnitTests.PersonalData;

/// <summary>When the daily retention run is due: its local time in Stockholm, across the daylight-saving nights.</summary>
public sealed class NextRunTests
{
    private static readonly TimeSpan RunAt = new(3, 15, 0);

    [Fact]
    public void BeforeTheRunTimeTheRunIsLaterTheSameDay() =>
        Assert.Equal(DateTimeOffset.Parse("2026-12-07T03:15:00+01:00"),
            Retention.NextRunAt(DateTimeOffset.Parse("2026-12-07T01:00:00+01:00"), RunAt));

    [Fact]
    public void AtOrAfterTheRunTimeTheRunIsTheNextDay()
    {
        Assert.Equal(DateTimeOffset.Parse("2026-12-08T03:15:00+01:00"),
            Retention.NextRunAt(DateTimeOffset.Parse("2026-12-07T03:15:00+01:00"), RunAt));
        Assert.Equal(DateTimeOffset.Parse("2026-12-08T03:15:00+01:00"),
            Retention.NextRunAt(DateTimeOffset.Parse("2026-12-07T22:00:00+01:00"), RunAt));
    }

    [Fact]
    public void LocalTimeHoldsInSummerToo() =>
        Assert.Equal(DateTimeOffset.Parse("2026-07-01T03:15:00+02:00"),
            Retention.NextRunAt(DateTimeOffset.Parse("2026-06-30T12:00:00+02:00"), RunAt));

    [Fact]
    public void ATimeTheClocksSkipInSpringHappensAnHourLater() =>
        // 29 March 2026: 02:00 becomes 03:00.
        Assert.Equal(DateTimeOffset.Parse("2026-03-29T03:30:00+02:00"),
            Retention.NextRunAt(DateTimeOffset.Parse("2026-03-29T00:30:00+01:00"), new TimeSpan(2, 30, 0)));

    [Fact]
    public void ATimeThatComesTwiceInAutumnIsTheFirstOfThem() =>
        // 25 October 2026: 03:00 becomes 02:00 again; 02:30 happens first at +02:00.
        Assert.Equal(DateTimeOffset.Parse("2026-10-25T02:30:00+02:00"),
            Retention.NextRunAt(DateTimeOffset.Parse("2026-10-25T00:30:00+02:00"), new TimeSpan(2, 30, 0)));
}
