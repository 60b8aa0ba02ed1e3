namespace Umearegionen.Switchboard.Directory;

/// <summary>
/// A small RFC 4180 reader: fields separated by ';' (Swedish Excel) or ',' (chosen from the header
/// line), optionally quoted with "" for a quote inside; quoted fields may span lines.
/// </summary>
public static class Csv
{
    public static char DetectDelimiter(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        var header = end < 0 ? text : text[..end];
        return header.Count(c => c == ';') >= header.Count(c => c == ',') && header.Contains(';') ? ';' : ',';
    }

    /// <summary>The records of the text, each a list of fields; blank lines are skipped.</summary>
    public static IReadOnlyList<string[]> Parse(string text, char delimiter)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var fieldStarted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
                fieldStarted = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                fieldStarted = true;
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                EndRecord();
            }
            else
            {
                field.Append(c);
                fieldStarted = true;
            }
        }

        EndRecord();
        return records;

        void EndRecord()
        {
            if (fieldStarted || field.Length > 0 || fields.Count > 0)
            {
                fields.Add(field.ToString());
                if (fields.Any(f => f.Length > 0))
                {
                    records.Add([.. fields]);
                }
            }

            fields.Clear();
            field.Clear();
            fieldStarted = false;
        }
    }

    private static readonly Lazy<Encoding> Windows1252 = new(() =>
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    });

    /// <summary>UTF-8 (with or without BOM); text that is not valid UTF-8 is read as Windows-1252, as older Swedish Excel saves it.</summary>
    public static string Decode(byte[] bytes)
    {
        var start = bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }) ? 3 : 0;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            return Windows1252.Value.GetString(bytes);
        }
    }
}
