namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// CSV that Swedish Excel opens as columns: semicolon separator, decimal comma, UTF-8 with a byte
/// order mark (without it Excel reads å, ä, ö as two characters each), CRLF line ends.
/// </summary>
public sealed class Csv
{
    public const string ContentType = "text/csv; charset=utf-8";

    private readonly StringBuilder _text = new();

    public Csv Row(params object?[] cells)
    {
        _text.AppendJoin(';', cells.Select(Cell)).Append("\r\n");
        return this;
    }

    public byte[] ToBytes() => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(_text.ToString())];

    public static string Cell(object? value) => value switch
    {
        null => "",
        double d => Number(d.ToString("0.####", CultureInfo.InvariantCulture)),
        decimal m => Number(m.ToString("0.##", CultureInfo.InvariantCulture)),
        ExactNumber e => Number(e.Value.ToString(CultureInfo.InvariantCulture)),
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => Text(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    /// <summary>A decimal with every one of its decimals (a rate), as a cell; Cell writes at most two.</summary>
    public static ExactNumber Exact(decimal value) => new(value);

    public readonly record struct ExactNumber(decimal Value);

    private static string Number(string invariant) => invariant.Replace('.', ',');

    private static string Text(string value)
    {
        // A cell starting with = + - @ would be run as a formula by Excel: prefix it with an apostrophe.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([';', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
