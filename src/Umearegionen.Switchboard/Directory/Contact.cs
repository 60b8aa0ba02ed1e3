using System.Text.RegularExpressions;

namespace Umearegionen.Switchboard.Directory;

/// <summary>Checks and normalises the contact details the directory stores: phone numbers, e-mail, links.</summary>
public static partial class Contact
{
    public const int MaxEmailLength = 254;
    public const int MaxUrlLength = 500;

    /// <summary>
    /// A Swedish phone number in any common written form ("090-16 10 00", "+46 90 161000",
    /// "0046 90 16 10 00", "0935-140 00", "070-123 45 67") as E.164 ("+4690161000"); null when it is
    /// not one. A Swedish national number is 7 to 9 digits after the leading 0.
    /// </summary>
    public static string? NormalisePhone(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40 || !PhoneCharacters().IsMatch(text.Trim()))
        {
            return null;
        }

        var trimmed = text.Trim();
        var digits = new string(trimmed.Where(char.IsAsciiDigit).ToArray());
        string national;
        if (trimmed.StartsWith('+'))
        {
            if (!digits.StartsWith("46", StringComparison.Ordinal))
            {
                return null;
            }

            national = digits[2..];
            // "+46 (0)90-16 10 00" is a common (if wrong) way to write it.
            if (national.StartsWith('0'))
            {
                national = national[1..];
            }
        }
        else if (digits.StartsWith("0046", StringComparison.Ordinal))
        {
            national = digits[4..];
        }
        else if (digits.StartsWith('0'))
        {
            national = digits[1..];
        }
        else
        {
            return null;
        }

        return national.Length is >= 7 and <= 9 && national[0] != '0' ? "+46" + national : null;
    }

    public static bool IsEmail(string value) =>
        value.Length <= MaxEmailLength && PlainText.IsSingleLine(value) && EmailPattern().IsMatch(value);

    public static bool IsLink(string value) =>
        value.Length <= MaxUrlLength
        && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && !string.IsNullOrEmpty(uri.Host) && uri.Host.Contains('.');

    /// <summary>An optional phone field: blank means none; anything else must be a Swedish number.</summary>
    public static string? Phone(FieldErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var normalised = NormalisePhone(value);
        if (normalised is null)
        {
            errors.Add(field, $"{field} '{Shorten(value)}' is not a Swedish phone number; write it e.g. as 090-16 10 00 or +46 90 161000.");
        }

        return normalised;
    }

    public static string? Email(FieldErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var trimmed = value.Trim();
        if (!IsEmail(trimmed))
        {
            errors.Add(field, $"{field} '{Shorten(value)}' is not an e-mail address (like namn@umea.se, at most {MaxEmailLength} characters).");
        }

        return trimmed;
    }

    public static string? Link(FieldErrors errors, string field, string? value, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(field, $"{field} is required: a link starting with https://.");
            }

            return null;
        }

        var trimmed = value.Trim();
        if (!IsLink(trimmed))
        {
            errors.Add(field, $"{field} '{Shorten(value)}' is not a web link; give a full address starting with https:// (at most {MaxUrlLength} characters).");
        }

        return trimmed;
    }

    /// <summary>Optional free text: trimmed, blank means none, longer than allowed is an error.</summary>
    public static string? Text(FieldErrors errors, string field, string? value, int maxLength)
    {
        errors.Optional(field, value?.Trim(), maxLength);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public static string RequiredText(FieldErrors errors, string field, string? value, int maxLength)
    {
        errors.Required(field, value?.Trim(), maxLength);
        return value?.Trim() ?? "";
    }

    /// <summary>A name: required, one line of plain text (<see cref="PlainText"/>), at most <paramref name="maxLength"/>.</summary>
    public static string RequiredName(FieldErrors errors, string field, string? value, int maxLength)
    {
        errors.SingleLine(field, value);
        return RequiredText(errors, field, value, maxLength);
    }

    /// <summary>An optional name: blank means none; otherwise one line of plain text.</summary>
    public static string? Name(FieldErrors errors, string field, string? value, int maxLength)
    {
        errors.SingleLine(field, value);
        return Text(errors, field, value, maxLength);
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex(@"^\+?[0-9 ()\-/]+$")]
    private static partial Regex PhoneCharacters();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")]
    private static partial Regex EmailPattern();
}
