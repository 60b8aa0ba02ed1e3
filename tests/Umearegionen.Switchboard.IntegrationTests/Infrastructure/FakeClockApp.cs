namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>The service on a clock the test moves (<see cref="SwitchboardApp.Clock"/>), starting at the wall clock's now.</summary>
/// <remarks>
/// The fake clock only moves forward, and tokens issued after it has jumped ahead are not yet valid
/// by the wall clock, so each test class that moves it has a fixture (an app and a clock) of its own
/// and signs in before moving the clock.
/// </remarks>
public sealed class FakeClockApp : SwitchboardApp
{
    protected override bool UseFakeTime => true;
}
