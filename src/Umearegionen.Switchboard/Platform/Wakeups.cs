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
