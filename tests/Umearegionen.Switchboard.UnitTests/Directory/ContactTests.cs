using Umearegionen.Switchboard.Directory;

namespace Umearegionen.Switchboard.UnitTests.Directory;

public sealed class ContactTests
{
    [Theory]
    [InlineData("090-16 10 00", "+4690161000")]
    [InlineData("+46 90 161000", "+4690161000")]
    [InlineData("0046 90 16 10 00", "+4690161000")]
    [InlineData("+46 (0)90-16 10 00", "+4690161000")]
    [InlineData("0935-140 00", "+4693514000")]
    [InlineData("070-123 45 67", "+46701234567")]
    [InlineData("08-123 456", "+468123456")]
    public void CommonSwedishFormsAreStoredAsE164(string written, string expected) =>
        Assert.Equal(expected, Contact.NormalisePhone(written));

    [Theory]
    [InlineData("16 10 00")]
    [InlineData("+47 22 00 00 00")]
    [InlineData("090-16 10 00 00 00")]
    [InlineData("0-12")]
    [InlineData("090-ABC")]
    [InlineData("00 90 16 10 00")]
    public void WhatIsNotASwedishNumberIsRefused(string written) => Assert.Null(Contact.NormalisePhone(written));

    [Theory]
    [InlineData("https://www.umea.se/bygglov", true)]
    [InlineData("http://vannas.se", true)]
    [InlineData("ftp://umea.se/x", false)]
    [InlineData("www.umea.se", false)]
    [InlineData("javascript:alert(1)", false)]
    public void OnlyWebLinksAreLinks(string link, bool valid) => Assert.Equal(valid, Contact.IsLink(link));

    [Theory]
    [InlineData("anna.lind@umea.se", true)]
    [InlineData("anna.lind@umea", false)]
    [InlineData("anna lind@umea.se", false)]
    public void EmailAddressesAreChecked(string email, bool valid) => Assert.Equal(valid, Contact.IsEmail(email));
}

public sealed class CsvTests
{
    [Fact]
    public void SemicolonsQuotesAndLineBreaksInQuotesAreRead()
    {
        var text = "type;name;address\r\nunit;\"Bygg; och miljö\";\"Skolgatan 31A\nUmeå\"\r\n\r\nperson;\"Anna \"\"Annie\"\" Lind\";\n";

        var records = Csv.Parse(text, Csv.DetectDelimiter(text));

        Assert.Equal(3, records.Count);
        Assert.Equal(["unit", "Bygg; och miljö", "Skolgatan 31A\nUmeå"], records[1]);
        Assert.Equal(["person", "Anna \"Annie\" Lind", ""], records[2]);
    }

    [Fact]
    public void CommaSeparatedFilesAreReadToo() =>
        Assert.Equal(',', Csv.DetectDelimiter("type,name,phone\nunit,Bygglov,090-16 10 00"));

    [Fact]
    public void Utf8WithByteOrderMarkAndWindows1252AreDecoded()
    {
        Assert.Equal("snöröjning", Csv.Decode([0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes("snöröjning")]));
        Assert.Equal("snöröjning", Csv.Decode(System.Text.Encoding.Latin1.GetBytes("snöröjning")));
        Assert.Equal("Avgift 100 €", Csv.Decode([.. System.Text.Encoding.Latin1.GetBytes("Avgift 100 "), 0x80]));
    }
}

public sealed class SearchQueryTests
{
    [Fact]
    public void DefiniteFormsAlsoSearchTheirBaseForm()
    {
        var alternatives = DirectorySearch.TsQuery("Bygglovet").Trim('(', ')').Split(" | ");

        Assert.Equal("bygglovet:*", alternatives[0]);
        Assert.Contains("bygglov", alternatives);
        Assert.Contains("snöröjning", DirectorySearch.TsQuery("snöröjningen").Trim('(', ')').Split(" | "));
    }

    [Fact]
    public void OperatorCharactersInTheQueryNeverReachTheTsQuery() =>
        Assert.Equal("va & avlopp:*", DirectorySearch.TsQuery("va & !avlopp:*|"));
}
