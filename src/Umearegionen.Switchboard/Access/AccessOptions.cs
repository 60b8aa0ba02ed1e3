namespace Umearegionen.Switchboard.Access;

public sealed class AccessOptions : IValidatableObject
{
    public const string Section = "Access";
    public const string Issuer = "umearegionen-switchboard";

    /// <summary>Base64 key (at least 32 bytes) that signs the service's own tokens. Generated locally; never committed.</summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// Without a SigningKey, the key is read from this file, which is created with a new random key
    /// (readable by the owner only) on first start. Used by docker-compose and the run command.
    /// </summary>
    public string? SigningKeyFile { get; set; }

    [Range(typeof(TimeSpan), "00:01:00", "12:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// The absolute limit of a session: a token is refreshed only while its login (auth_time) is
    /// younger than this; then the person signs in again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How often each node checks its open hub connections' accounts against the database, and how
    /// long a node trusts what it read about an account: a disabled account, or one whose password or
    /// role an administrator changed, is refused and cut off on every node within about this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:00:30")]
    public TimeSpan RevocationCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 100)]
    public int MaxFailedLogins { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "24:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Login attempts allowed per client address per minute.</summary>
    [Range(1, 10_000)]
    public int LoginAttemptsPerMinute { get; set; } = 20;

    /// <summary>Trust the municipalities' own OpenID Connect provider as well (optional).</summary>
    public OidcOptions Oidc { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        byte[]? key = null;
        if (!string.IsNullOrWhiteSpace(SigningKey))
        {
            try { key = Convert.FromBase64String(SigningKey); }
            catch (FormatException) { }
        }

        if (key is null || key.Length < 32)
        {
            yield return new ValidationResult(
                "Access:SigningKey must be a base64 key of at least 32 bytes (generate one with `openssl rand -base64 48`; " +
                "or set Access:SigningKeyFile to a path where the service keeps a generated key).", [nameof(SigningKey)]);
        }

        if (SessionLifetime < TokenLifetime)
        {
            yield return new ValidationResult(
                $"Access:SessionLifetime ({SessionLifetime}) must be at least Access:TokenLifetime ({TokenLifetime}).",
                [nameof(SessionLifetime)]);
        }

        if (!string.IsNullOrWhiteSpace(Oidc.Authority) && string.IsNullOrWhiteSpace(Oidc.Audience))
        {
            yield return new ValidationResult(
                "Access:Oidc:Audience is required when Access:Oidc:Authority is set.", [nameof(Oidc)]);
        }
    }
}

public sealed class OidcOptions
{
    /// <summary>The identity provider's issuer address, e.g. https://login.example.se/realms/umea.</summary>
    public string? Authority { get; set; }

    public string? Audience { get; set; }

    /// <summary>The claim carrying the switchboard role (operator, editor, manager, administrator).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The claim carrying an editor's municipality code (e.g. 2480).</summary>
    public string MunicipalityClaim { get; set; } = "municipality";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

internal static class SigningKeyFile
{
    public static void Apply(AccessOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey) || string.IsNullOrWhiteSpace(options.SigningKeyFile))
        {
            return;
        }

        var path = options.SigningKeyFile;
        if (!File.Exists(path))
        {
            // Written whole under another name, then moved into place unless another node, starting at the
            // same moment, got there first: every node then reads the one key that is in the file.
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var written = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(written, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(written, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            try
            {
                File.Move(written, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(written);
            }
        }

        options.SigningKey = File.ReadAllText(path).Trim();
    }
}
