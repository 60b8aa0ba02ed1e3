using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.UnitTests.Routing;

public sealed class MessageMailTests
{
    private static MessageSender.DueMessage Message(string recipientEmail, string? callerName) =>
        new(Guid.NewGuid(), "Eva Ek", recipientEmail, callerName, "+46701234567", "Ring tillbaka.\nTack.", DateTimeOffset.UnixEpoch, 0, "2480", null);

    [Fact]
    public void ANameWithALineBreakCannotAddAnEmailHeader()
    {
        using var mail = MessageSender.Build("vaxeln@umearegionen.se", Message("eva.ek@example.org", "Eve\r\nBcc: spy@example.org"));

        Assert.NotNull(mail);
        Assert.DoesNotContain('\n', mail.Subject);
        Assert.DoesNotContain('\r', mail.Subject);
        Assert.Empty(mail.Bcc);
        Assert.Equal("eva.ek@example.org", Assert.Single(mail.To).Address);
    }

    [Theory]
    [InlineData("eva.ek@example.org\r\nBcc: spy@example.org")]
    [InlineData("not an address")]
    [InlineData("eva\u202E@example.org")]
    public void AMessageToNoPlainAddressIsNotBuilt(string recipientEmail) =>
        Assert.Null(MessageSender.Build("vaxeln@umearegionen.se", Message(recipientEmail, "Per")));
}
