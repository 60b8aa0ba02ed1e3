namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// A loop that waits on a <see cref="SemaphoreSlim"/> of one (<c>new(0, 1)</c>) is woken by
/// <see cref="Wake"/>: any number of wakes before the loop runs again wake it once, and the loop's next
/// pass sees everything they announced.
/// </summary>
public static class Wakeups
{
    public static void Wake(this SemaphoreSlim wakeup)
    {
        try
        {
            if (wakeup.CurrentCount == 0)
            {
                wakeup.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already woken: the next pass sees this too.
        }
    }
}

/// <summary>
/// The wait of a background loop that runs a pass on every tick of its timer and whenever it is woken
/// (an outbox sender): <see cref="WaitAsync"/> returns at the next tick or wake, whichever comes first.
/// The wait for a wake is kept across ticks: a second waiter on the semaphore would take a wake meant
/// for the loop, which would then sleep until the next tick.
/// </summary>
public sealed class WakeOrTick(SemaphoreSlim wakeup, PeriodicTimer timer, CancellationToken ct)
{
    private Task _tick = timer.WaitForNextTickAsync(ct).AsTask();
    private Task? _woken;

    public async Task WaitAsync()
    {
        _woken ??= wakeup.WaitAsync(ct);
        if (await Task.WhenAny(_tick, _woken) == _tick)
        {
            await _tick;
            _tick = timer.WaitForNextTickAsync(ct).AsTask();
        }

        if (_woken.IsCompleted)
        {
            _woken = null;
        }
    }
}
