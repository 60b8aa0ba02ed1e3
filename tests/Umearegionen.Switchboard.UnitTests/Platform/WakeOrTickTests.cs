using Microsoft.Extensions.Time.Testing;
using Umearegionen.Switchboard.Platform;

namespace Umearegionen.Switchboard.UnitTests.Platform;

public class WakeOrTickTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task AWakeAfterATickEndsTheNextWaitAtOnce()
    {
        var clock = new FakeTimeProvider();
        var wakeup = new SemaphoreSlim(0, 1);
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), clock);
        var wait = new WakeOrTick(wakeup, timer, CancellationToken.None);

        // The first wait ends at the tick, with no wake.
        var first = wait.WaitAsync();
        clock.Advance(TimeSpan.FromMinutes(1));
        await first.WaitAsync(Soon);

        // The next wait ends at the wake, without the clock moving: the loop's earlier wait for a wake
        // must not have been left behind to take it.
        var second = wait.WaitAsync();
        wakeup.Wake();
        await second.WaitAsync(Soon);
        Assert.True(second.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WakesBeforeTheWaitAreSeenOnceAndTheFollowingWaitSleepsUntilTheTick()
    {
        var clock = new FakeTimeProvider();
        var wakeup = new SemaphoreSlim(0, 1);
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), clock);
        var wait = new WakeOrTick(wakeup, timer, CancellationToken.None);

        wakeup.Wake();
        wakeup.Wake();
        await wait.WaitAsync().WaitAsync(Soon);

        var next = wait.WaitAsync();
        await Task.Delay(100);
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(1));
        await next.WaitAsync(Soon);
    }
}
