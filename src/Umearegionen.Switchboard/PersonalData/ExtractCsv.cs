using Umearegionen.Switchboard.Statistics;

namespace Umearegionen.Switchboard.PersonalData;

/// <summary>
/// A register extract as a CSV a person reads in Swedish Excel (Statistics.Csv: ';', UTF-8 with BOM).
/// One row per stored fact: what record (Post), its id, the call it belongs to, when, what the fact
/// is (Uppgift) and its value, so every kind of record fits one table. Times are Swedish local time.
/// A personal field that retention or an erasure removed reads "(borttaget)".
/// </summary>
public static class ExtractCsv
{
    public const string Removed = "(borttaget)";

    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    private static readonly Dictionary<string, string> EventNames = new(StringComparer.Ordinal)
    {
        ["received"] = "Samtalet kom in", ["link_sent"] = "Länk skickad till den som ringde", ["offered"] = "Erbjöds en telefonist", ["offer_declined"] = "Erbjudandet lämnades tillbaka",
        ["offer_timed_out"] = "Erbjudandet besvarades inte i tid", ["accepted"] = "Telefonisten tog samtalet",
        ["consultation_started"] = "Förfrågan hos mottagaren", ["consultation_cancelled"] = "Förfrågan avbröts",
        ["destination_closed"] = "Mottagaren var stängd", ["destination_away"] = "Mottagaren var borta",
        ["completed"] = "Samtalet avslutades", ["platform_answered"] = "Telefonen svarade", ["platform_transferred"] = "Kopplat",
        ["platform_ended"] = "Samtalet bröts",
    };

    private static readonly Dictionary<string, string> States = new(StringComparer.Ordinal)
    {
        ["queued"] = "I kö", ["offered"] = "Erbjuds en telefonist", ["connected"] = "Pågår", ["completed"] = "Avslutat",
        ["abandoned"] = "Avbrutet av den som ringde",
    };

    private static readonly Dictionary<string, string> Outcomes = new(StringComparer.Ordinal)
    {
        ["transferred"] = "Kopplat", ["answered"] = "Besvarat av växeln", ["callback"] = "Återuppringning bokad",
        ["message"] = "Meddelande taget", ["fault_report"] = "Felanmälan registrerad", ["abandoned"] = "Avbrutet",
    };

    public static FileContentHttpResult File(Extract extract)
    {
        var csv = new Csv().Row("Post", "Id", "Samtal", "Tidpunkt", "Uppgift", "Värde");
        var subject = extract.Subject.Kind == ExtractSubject.NumberKind ? "Telefonnummer" : "Namn";
        csv.Row("Registerutdrag", "", "", Local(extract.TakenAt), "Sökt " + subject.ToLowerInvariant(), extract.Subject.Value);
        csv.Row("Registerutdrag", "", "", Local(extract.TakenAt), "Antal poster", extract.RecordCount);

        foreach (var c in extract.Calls)
        {
            var id = c.Id.ToString();
            var at = Local(c.QueuedAt);
            void Fact(string what, object? value) => csv.Row("Samtal", id, id, at, what, value);
            Fact("Uppringande nummer", c.CallerNumber ?? Removed);
            Fact("Slaget nummer", c.DialledNumber);
            Fact("Kommun", c.MunicipalityCode);
            Fact("Menyval", c.MenuTopic);
            Fact("Läge", States.GetValueOrDefault(c.State, c.State));
            Fact("Utfall", c.Outcome is null ? null : Outcomes.GetValueOrDefault(c.Outcome, c.Outcome));
            Fact("Kategori", c.WrapUpCategory);
            Fact("Besvarat", Local(c.AnsweredAt));
            Fact("Avslutat", Local(c.CompletedAt));
            Fact("Telefonist", c.OperatorName);
            foreach (var e in c.Events)
            {
                csv.Row("Händelse", e.Id, id, Local(e.At), EventNames.GetValueOrDefault(e.Type, e.Type),
                    string.Join(", ", new[] { e.ActorName is null ? null : "av " + e.ActorName, Data(e.Data) }.Where(s => !string.IsNullOrEmpty(s))));
                // The operator's free text about the caller (an answered call's note, a transfer's note for the receiving
                // desk) on a row of its own, so a reader finds it without reading the event's stored data.
                if (Note(e.Data) is { } note)
                {
                    csv.Row("Händelse", e.Id, id, Local(e.At), "Telefonistens anteckning", note);
                }
            }
        }

        foreach (var b in extract.Callbacks)
        {
            var id = b.Id.ToString();
            void Fact(string what, object? value) => csv.Row("Återuppringning", id, b.CallId.ToString(), Local(b.BookedAt), what, value);
            Fact("Nummer", b.CallerNumber ?? Removed);
            Fact("Namn", b.CallerName);
            Fact("Anteckning", b.Note);
            Fact("Enhet", b.UnitName);
            Fact("Från", Local(b.WindowStart));
            Fact("Till", Local(b.WindowEnd));
            Fact("Bokad av", b.BookedByName);
            Fact("Uppföljning", b.FollowUpResult switch { "kept" => "Återuppringd", "missed" => "Inte återuppringd", _ => null });
            Fact("Uppföljningens anteckning", b.FollowUpNote);
        }

        foreach (var m in extract.Messages)
        {
            var id = m.Id.ToString();
            void Fact(string what, object? value) => csv.Row("Meddelande", id, m.CallId.ToString(), Local(m.TakenAt), what, value);
            Fact("Nummer", m.CallerNumber ?? Removed);
            Fact("Namn", m.CallerName);
            Fact("Text", m.Text ?? Removed);
            Fact("Mottagare", $"{m.RecipientName} <{m.RecipientEmail}>");
            Fact("Taget av", m.TakenByName);
            Fact("Skickat", Local(m.SentAt));
        }

        foreach (var f in extract.FaultReports)
        {
            var id = f.Id.ToString();
            void Fact(string what, object? value) => csv.Row("Felanmälan", id, f.CallId.ToString(), Local(f.RegisteredAt), what, value);
            Fact("Kontaktnummer", f.ContactNumber ?? Removed);
            Fact("Kontaktperson", f.ContactName);
            Fact("Vad är fel", f.What ?? Removed);
            Fact("Var", f.Location ?? Removed);
            Fact("Kommun", f.MunicipalityCode);
            Fact("Registrerad av", f.RegisteredByName);
        }

        foreach (var g in extract.Guidance)
        {
            var id = g.Id.ToString();
            void Fact(string what, object? value) => csv.Row("Skickad länk", id, g.CallId.ToString(), Local(g.QueuedAt), what, value);
            Fact(g.Channel == "sms" ? "Nummer" : "E-postadress", g.Recipient ?? Removed);
            Fact("Vad", g.Title);
            Fact("Länk", g.Link);
            Fact("Status", g.Status switch { "sent" => "Skickad", "failed" => "Misslyckades", _ => "Väntar" });
            Fact("Skickad av", g.SentByName);
            Fact("Skickad", Local(g.SentAt));
        }

        var name = $"registerutdrag-{TimeZoneInfo.ConvertTime(extract.TakenAt, Stockholm):yyyy-MM-dd-HHmm}.csv";
        return TypedResults.File(csv.ToBytes(), Csv.ContentType, name);
    }

    private static string? Note(JsonElement? data) =>
        data is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("details", out var details)
        && details.ValueKind == JsonValueKind.Object && details.TryGetProperty("note", out var note)
        && note.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(note.GetString())
            ? note.GetString()
            : null;

    private static string Local(DateTimeOffset? at) =>
        at is { } value ? TimeZoneInfo.ConvertTime(value, Stockholm).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";

    // An event's stored data as "key: value" pairs, as stored (docs/personal-data.md); a nested object in parentheses.
    private static string Data(JsonElement? data)
    {
        if (data is not { ValueKind: JsonValueKind.Object } root)
        {
            return "";
        }

        return string.Join(", ", root.EnumerateObject()
            .Where(p => p.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            .Select(p => $"{p.Name}: {Value(p.Value)}"));
    }

    private static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Object => "(" + Data(value) + ")",
        _ => value.GetRawText(),
    };
}
