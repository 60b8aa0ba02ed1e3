using Umearegionen.Switchboard.LoadTests.Harness;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class HistoryCheckTests
{
    [Fact]
    public void ACompletedCallOfferedAcceptedAndEndedInOrderIsConsistent()
    {
        Assert.Null(HistoryCheck.Problem("completed", "transferred",
            ["received", "offered", "offer_timed_out", "offered", "accepted", "platform_answered", "completed", "platform_transferred", "platform_ended"]));
    }

    [Fact]
    public void ACallDeclinedAndThenPickedFromTheQueueIsConsistent()
    {
        Assert.Null(HistoryCheck.Problem("completed", "answered",
            ["received", "offered", "offer_declined", "accepted", "platform_answered", "completed", "platform_ended"]));
    }

    [Fact]
    public void ACallerWhoHungUpWhileWaitingIsAConsistentAbandonedCall()
    {
        Assert.Null(HistoryCheck.Problem("abandoned", "abandoned", ["received", "offered", "platform_ended"]));
    }

    [Theory]
    [InlineData("queued", null, new[] { "received" }, "not ended")]
    [InlineData("completed", "answered", new[] { "received", "offered", "accepted", "completed", "completed" }, "completed more than once")]
    [InlineData("completed", "answered", new[] { "received", "offered", "accepted", "offered", "accepted", "completed" }, "accepted 2 times")]
    [InlineData("completed", "answered", new[] { "received", "offered", "completed", "accepted" }, "completed before accepted")]
    [InlineData("completed", "answered", new[] { "offered", "received", "accepted", "completed" }, "does not start with received")]
    [InlineData("completed", "answered", new[] { "received", "received", "offered", "accepted", "completed" }, "received more than once")]
    [InlineData("abandoned", "abandoned", new[] { "received", "offered", "accepted", "platform_ended" }, "abandoned after being accepted")]
    [InlineData("abandoned", "abandoned", new[] { "received" }, "without the caller hanging up")]
    [InlineData("completed", "answered", new[] { "received", "offered", "offer_declined", "offer_timed_out", "accepted", "completed" }, "more offers resolved")]
    public void InconsistentHistoriesAreNamed(string state, string? outcome, string[] events, string expected)
    {
        var problem = HistoryCheck.Problem(state, outcome, events);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
