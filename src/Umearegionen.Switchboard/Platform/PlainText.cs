namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// Text that names a person or is an e-mail address is one line of visible characters: no C0 or C1
/// control characters (CR and LF included), no line or paragraph separators, and no bidirectional
/// overrides or isolates (U+202A–U+202E, U+2066–U+2069), which make a name read differently on screen
/// than it is stored, and CR/LF, which would start a new header in an e-mail.
/// </summary>
public static class PlainText
{
    /// <summary>The index of the first character not allowed in one line of plain text, or -1.</summary>
    public static int FirstUnsafe(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (IsUnsafe(value[i]))
            {
                return i;
            }
        }

        return -1;
    }

    public static bool IsSingleLine(string value) => FirstUnsafe(value) < 0;

    public static bool IsUnsafe(char c) =>
        c is <= '\u001F' or (>= '\u007F' and <= '\u009F') or '\u2028' or '\u2029'
            or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>The message for a field whose value is not one line of plain text; null when it is.</summary>
    public static string? Problem(string field, string? value)
    {
        var at = value is null ? -1 : FirstUnsafe(value);
        return at < 0 ? null
            : $"{field} must be one line without control characters or text-direction overrides " +
              $"(it has U+{(int)value![at]:X4} at position {at + 1}).";
    }
}
