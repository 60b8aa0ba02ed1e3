using Umearegionen.Switchboard.Platform;

namespace Umearegionen.Switchboard.UnitTests.Platform;

public sealed class PlainTextTests
{
    [Theory]
    [InlineData("Anna\r\nBcc: x@example.org")]
    [InlineData("Anna\nLind")]
    [InlineData("Anna\tLind")]
    [InlineData("Anna\u0000")]
    [InlineData("Anna\u007F")]
    [InlineData("Anna\u0085")]
    [InlineData("Anna\u009B")]
    [InlineData("Anna\u2028Lind")]
    [InlineData("\u202Egnal")]
    [InlineData("Anna \u202ALind")]
    [InlineData("Anna \u202DLind")]
    [InlineData("Anna \u2066Lind\u2069")]
    [InlineData("Anna \u2068Lind")]
    public void ControlCharactersLineBreaksAndDirectionOverridesAreRefusedNamingTheField(string value)
    {
        var errors = new FieldErrors();

        errors.SingleLine("callerName", value);

        Assert.StartsWith("callerName must be one line", Assert.Single(errors.ToDictionary()["callerName"]));
    }

    [Theory]
    [InlineData("Åsa Öberg-Nilsson")]
    [InlineData("Jean-Luc D'Aubigné")]
    [InlineData("محمد علي")]
    [InlineData("anna.lind@umea.se")]
    [InlineData("")]
    [InlineData(null)]
    public void NamesInAnyScriptPass(string? value)
    {
        var errors = new FieldErrors();

        errors.SingleLine("name", value);

        Assert.False(errors.Any);
    }
}
