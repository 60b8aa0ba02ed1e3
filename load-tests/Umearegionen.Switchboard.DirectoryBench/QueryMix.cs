using Umearegionen.Switchboard.Directory.Demo;

/// <summary>
/// What operators type: topics as written, in other word forms, with typos and without å/ä/ö,
/// people's names (whole, surname only, misspelt), e-services, and every third search narrowed
/// to one municipality.
/// </summary>
public static class QueryMix
{
    private static readonly string[] Exact = ["bygglov", "snöröjning", "hemtjänst", "förskola", "sophämtning", "färdtjänst",
        "ekonomiskt bistånd", "felanmälan gatubelysning", "skolskjuts", "parkeringstillstånd", "bostadsanpassning", "vatten", "avlopp",
        "socialjour", "god man", "bibliotek", "komvux", "LSS"];

    private static readonly string[] WordForms = ["bygglovet", "snöröjningen", "hemtjänsten", "förskolan", "sophämtningen",
        "färdtjänsten", "skolskjutsen", "biblioteket", "avloppet", "vattnet", "förskolorna", "parkeringstillståndet"];

    private static readonly string[] Typos = ["bygglof", "snörojning", "snorojning", "hemtjenst", "forskola", "sophämtnig",
        "fardtjanst", "skolskjus", "bostadsanpasning", "parkeringstilstånd", "gatubelysnig", "ekonomiskt bistand", "vannas"];

    private static readonly string[] EServices = ["ansök om bygglov", "beställ extra hämtning", "orosanmälan", "ansök om förskoleplats",
        "lämna årsräkning", "felanmälan"];

    private static readonly string[] Municipalities = ["2480", "2460", "2401", "2409", "2404", "2403"];

    public static IReadOnlyList<(string Kind, string Query, string? Municipality)> Build(int count, int seed)
    {
        var random = new Random(seed);
        var list = new List<(string, string, string?)>(count);
        for (var i = 0; i < count; i++)
        {
            var (kind, query) = random.Next(100) switch
            {
                < 25 => ("topic", Exact[random.Next(Exact.Length)]),
                < 40 => ("word form", WordForms[random.Next(WordForms.Length)]),
                < 55 => ("typo", Typos[random.Next(Typos.Length)]),
                < 65 => ("e-service", EServices[random.Next(EServices.Length)]),
                < 85 => ("full name", $"{Pick(random, DemoCatalogue.FirstNames)} {Pick(random, DemoCatalogue.LastNames)}"),
                < 93 => ("surname", Pick(random, DemoCatalogue.LastNames)),
                _ => ("misspelt surname", Misspell(random, Pick(random, DemoCatalogue.LastNames))),
            };
            list.Add((kind, query, random.Next(3) == 0 ? Municipalities[random.Next(Municipalities.Length)] : null));
        }

        return list;
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    // One letter dropped, as when typing fast.
    private static string Misspell(Random random, string word)
    {
        var at = random.Next(1, word.Length - 1);
        return word.Remove(at, 1);
    }
}
