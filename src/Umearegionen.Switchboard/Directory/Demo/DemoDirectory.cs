namespace Umearegionen.Switchboard.Directory.Demo;

/// <summary>
/// Generates a synthetic directory for one municipality as import rows (so it passes the same
/// checks as a CSV import): administrations → departments → local units, invented people with
/// common Swedish names, some of them away with a referral. Deterministic for a given seed.
/// </summary>
public static class DemoDirectory
{
    public static IReadOnlyList<ImportRow> Generate(DemoMunicipality m, int unitTarget, int peopleTarget, int seed, DateTimeOffset now)
    {
        var random = new Random(seed ^ int.Parse(m.Code, CultureInfo.InvariantCulture));
        var rows = new List<ImportRow>();
        var leaves = new List<(string Key, DepartmentTemplate Template)>();
        var phones = new HashSet<string>();
        var onCall = m.AreaCode.Length == 3 ? $"{m.AreaCode}-{m.Exchange} 99 00" : $"{m.AreaCode}-{m.Exchange}9 00";

        void Unit(string key, string? parent, string level, string name, DepartmentTemplate? t)
        {
            var fields = new Dictionary<string, string>
            {
                ["type"] = "unit", ["key"] = key, ["parent"] = parent ?? "", ["name"] = name, ["level"] = level,
                ["phone"] = Phone(random, m, phones), ["email"] = $"{Slug(name).Replace('/', '.')}@{m.Domain}",
                ["address"] = $"{Street(random)} {random.Next(1, 60)}, {m.Name}",
            };
            if (t is not null)
            {
                fields["topics"] = string.Join("|", t.Topics);
                fields["eservices"] = string.Join("|", t.EServices.Select(e => $"{e.Name}=https://www.{m.Domain}/{e.Path}"));
                fields["closed_kind"] = t.ClosedKind;
                switch (t.ClosedKind)
                {
                    case "on-call":
                        fields["closed_phone"] = onCall;
                        fields["closed_text"] = t.ClosedText ?? "";
                        break;
                    case "e-service" when t.EServices.Length > 0:
                        fields["closed_url"] = $"https://www.{m.Domain}/{t.EServices[0].Path}";
                        fields["closed_text"] = $"Använd e-tjänsten {t.EServices[0].Name} dygnet runt.";
                        break;
                    case "e-service":
                        fields["closed_kind"] = "message";
                        fields["closed_text"] = "Lämna ett meddelande så återkommer vi nästa vardag.";
                        break;
                    case "callback":
                        fields["closed_text"] = "Boka återuppringning så ringer en handläggare upp nästa vardag.";
                        break;
                    case "message":
                        fields["closed_text"] = t.ClosedText ?? "Lämna ett meddelande.";
                        break;
                }
            }

            rows.Add(new ImportRow(rows.Count + 2, fields));
        }

        // Small municipalities have the same services in fewer, broader units.
        foreach (var administration in DemoCatalogue.Administrations)
        {
            var adminKey = Slug(administration.Name);
            Unit(adminKey, null, "administration", administration.Name, null);
            foreach (var department in administration.Departments)
            {
                var key = $"{adminKey}/{Slug(department.Name)}";
                Unit(key, adminKey, "department", department.Name, department);
                leaves.Add((key, department));
            }
        }

        // Local units (förskolor, skolor, hemtjänstgrupper, bibliotek) in the municipality's areas up to the target.
        var local = leaves.Where(l => l.Template.Local).ToList();
        for (var i = 0; rows.Count < unitTarget; i++)
        {
            var (parent, template) = local[i % local.Count];
            var area = m.Areas[(i / local.Count) % m.Areas.Length];
            var round = i / (local.Count * m.Areas.Length);
            var name = $"{template.Name} {area}{(round > 0 ? " " + (round + 1) : "")}";
            var key = $"{parent}/{Slug(area)}{(round > 0 ? "-" + (round + 1) : "")}";
            Unit(key, parent, "unit", name, template);
            leaves.Add((key, template));
        }

        var units = rows.Select(r => (Key: r.Fields["key"], Template: leaves.FirstOrDefault(l => l.Key == r.Fields["key"]).Template)).ToList();
        var emails = new HashSet<string>();
        var people = new List<(string Name, string Phone)>();
        for (var p = 0; p < peopleTarget; p++)
        {
            // Every unit gets someone first; then people go to departments and local units at random.
            var (unitKey, template) = p < units.Count ? units[p] : units[random.Next(units.Count)];
            var first = DemoCatalogue.FirstNames[random.Next(DemoCatalogue.FirstNames.Length)];
            var last = DemoCatalogue.LastNames[random.Next(DemoCatalogue.LastNames.Length)];
            var name = $"{first} {last}";
            var email = $"{Ascii(first)}.{Ascii(last)}";
            for (var n = 2; !emails.Add(email); n++)
            {
                email = $"{Ascii(first)}.{Ascii(last)}{n}";
            }

            var title = template is null
                ? (p < units.Count ? "Förvaltningschef" : "Administratör")
                : p < units.Count ? "Enhetschef" : template.Titles[random.Next(template.Titles.Length)];
            var phone = random.Next(5) == 0 ? $"070-{random.Next(100, 999)} {random.Next(10, 99)} {random.Next(10, 99)}" : Phone(random, m, phones);
            var fields = new Dictionary<string, string>
            {
                ["type"] = "person", ["key"] = $"p{p + 1}", ["parent"] = unitKey, ["name"] = name, ["title"] = title,
                ["phone"] = phone, ["email"] = $"{email}@{m.Domain}",
            };
            if (people.Count > 0 && random.Next(12) == 0)
            {
                var (referTo, referToPhone) = people[random.Next(people.Count)];
                fields["referral_until"] = now.AddHours(random.Next(2, 24 * 21)).ToString("yyyy-MM-ddTHH:00:00zzz", CultureInfo.InvariantCulture);
                fields["referral_reason"] = DemoCatalogue.ReferralReasons[random.Next(DemoCatalogue.ReferralReasons.Length)];
                fields["referral_to"] = referTo;
                fields["referral_phone"] = referToPhone;
            }

            people.Add((name, phone));
            rows.Add(new ImportRow(rows.Count + 2, fields));
        }

        return rows;
    }

    private static readonly string[] Streets =
        ["Skolgatan", "Storgatan", "Kungsgatan", "Rådhusesplanaden", "Nygatan", "Järnvägsgatan", "Västra Esplanaden", "Kyrkvägen", "Backenvägen", "Strandgatan"];

    private static string Street(Random random) => Streets[random.Next(Streets.Length)];

    /// <summary>A unique extension under the municipality's exchange, written the Swedish way ("090-16 12 34").</summary>
    private static string Phone(Random random, DemoMunicipality m, HashSet<string> used)
    {
        for (var attempt = 0; ; attempt++)
        {
            var phone = m.AreaCode.Length == 3
                ? $"{m.AreaCode}-{m.Exchange} {random.Next(10, 99)} {random.Next(10, 99)}"
                : $"{m.AreaCode}-{m.Exchange}{random.Next(0, 9)} {random.Next(10, 99)}";
            // Big generated directories share numbers once the exchange is full, as real switchboards' groups do.
            if (used.Add(phone) || attempt > 20)
            {
                return phone;
            }
        }
    }

    private static string Slug(string text) =>
        string.Join("-", Ascii(text).Split([' ', ',', '/'], StringSplitOptions.RemoveEmptyEntries));

    private static string Ascii(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            sb.Append(c switch { 'å' or 'ä' => 'a', 'ö' => 'o', 'é' => 'e', _ => char.IsLetterOrDigit(c) || c == ' ' ? c : '-' });
        }

        return sb.ToString();
    }
}
