namespace Umearegionen.Switchboard.Access;

public static class Roles
{
    public const string Operator = "operator";
    public const string Editor = "editor";
    public const string Manager = "manager";
    public const string Administrator = "administrator";

    /// <summary>The telephony platform (IP-PBX), calling with an API key.</summary>
    public const string Telephony = "telephony";

    public static readonly IReadOnlyList<string> People = [Operator, Editor, Manager, Administrator];

    public static bool IsPersonRole(string role) => People.Contains(role);
}

/// <summary>Named policies. Every endpoint and hub method names one; anything that names none is denied.</summary>
public static class Policies
{
    /// <summary>Any signed-in person: reads the directory, opening hours and notices.</summary>
    public const string Staff = "staff";

    public const string Operators = "operators";

    /// <summary>Editors (their own municipality) and administrators (all) change owned data.</summary>
    public const string Editors = "editors";

    public const string Managers = "managers";
    public const string Administrators = "administrators";
    public const string Telephony = "telephony";
}

public static class ClaimNames
{
    public const string Municipality = "municipality";
    public const string Name = "name";
    public const string Role = "role";
    public const string Subject = "sub";
    public const string Issuer = "iss";
    public const string PreferredUsername = "preferred_username";

    /// <summary>The account's security stamp when the token was issued (docs/decisions/0005).</summary>
    public const string SecurityStamp = "security_stamp";

    /// <summary>When the session began, in seconds since 1970 (OpenID Connect's auth_time); a refresh keeps it.</summary>
    public const string AuthTime = "auth_time";
}

public static class CurrentUser
{
    public static string Id(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimNames.Subject) ?? user.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("The caller has no subject claim.");

    public static string DisplayName(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimNames.Name) ?? user.Identity?.Name ?? user.Id();

    public static string? MunicipalityCode(this ClaimsPrincipal user) => user.FindFirstValue(ClaimNames.Municipality);

    public static bool IsAdministrator(this ClaimsPrincipal user) => user.IsInRole(Roles.Administrator);

    public static Platform.Actor Actor(this ClaimsPrincipal user) => new(user.Id(), user.DisplayName());

    /// <summary>
    /// Municipal self-government: an editor changes only their own municipality's data; an
    /// administrator may change any.
    /// </summary>
    public static bool MayEdit(this ClaimsPrincipal user, string municipalityCode) =>
        user.IsAdministrator()
        || (user.IsInRole(Roles.Editor) && string.Equals(user.MunicipalityCode(), municipalityCode, StringComparison.Ordinal));
}
