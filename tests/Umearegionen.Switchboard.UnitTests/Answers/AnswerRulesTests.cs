using Umearegionen.Switchboard.Answers;
using Umearegionen.Switchboard.Platform;

namespace Umearegionen.Switchboard.UnitTests.Answers;

public sealed class AnswerRulesTests
{
    [Theory]
    [InlineData("2026-07-01T21:59:00Z", "2026-07-01")] // 23:59 summer time
    [InlineData("2026-07-01T22:00:00Z", "2026-07-02")] // 00:00 summer time: already the next day in Sweden
    [InlineData("2026-12-24T22:59:00Z", "2026-12-24")]
    [InlineData("2026-12-24T23:00:00Z", "2026-12-25")]
    public void TodayIsTheSwedishDateNotTheUtcDate(string instant, string expected) =>
        Assert.Equal(DateOnly.Parse(expected), AnswerStore.Today(DateTimeOffset.Parse(instant)));

    [Theory]
    [InlineData("2026-03-28T12:00:00Z", "2026-03-28T23:00:00Z")] // before the spring change: midnight is CET
    [InlineData("2026-03-29T12:00:00Z", "2026-03-29T22:00:00Z")] // the day of the change: the next midnight is CEST
    [InlineData("2026-10-25T12:00:00Z", "2026-10-25T23:00:00Z")] // the autumn change: back to CET
    public void NextMidnightIsTheNextSwedishMidnightAcrossClockChanges(string instant, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected), AnswerStore.NextMidnight(DateTimeOffset.Parse(instant)));

    [Fact]
    public void AnAnswerMayHaveLinesButNoOtherControlCharacters()
    {
        var errors = new FieldErrors();
        Assert.Equal("Rad ett.\nRad två.", AnswerStore.ReadableText(errors, "answer", "  Rad ett.\r\nRad två.  ", 100));
        Assert.False(errors.Any);

        AnswerStore.ReadableText(errors, "answer", "Rad ett.\nRad\ttvå.", 100);
        AnswerStore.ReadableText(errors, "other", "Text \u202Eomvänd", 100);
        Assert.Equal(["answer", "other"], errors.ToDictionary().Keys.Order());
        Assert.Contains("U+0009 at position 13", errors.ToDictionary()["answer"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void ValidToBeforeValidFromIsRefusedOnValidTo()
    {
        var errors = new FieldErrors();
        AnswerStore.Check(new AnswerEntryRequest("2480", null, "Fråga", "Svar", null, null, null,
            new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 1)), errors);
        Assert.Equal(["validTo"], errors.ToDictionary().Keys);
    }
}
