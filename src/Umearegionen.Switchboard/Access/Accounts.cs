using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Umearegionen.Switchboard.Access;

public sealed record Account(
    Guid Id, string Username, string DisplayName, string Role, string? MunicipalityCode,
    int FailedLogins, DateTimeOffset? LockedUntil, bool Disabled, DateTimeOffset CreatedAt);

/// <summary>Marker type for the password hasher (the hash does not depend on the user object).</summary>
public sealed class AccountCredentials;

public abstract record LoginResult
{
    public sealed record Success(Account Account) : LoginResult;
    public sealed record WrongCredentials : LoginResult;
    public sealed record Locked(DateTimeOffset Until) : LoginResult;
}

public sealed record NewAccount(string Username, string DisplayName, string Role, string? MunicipalityCode, string Password);

/// <summary>The service's own accounts: passwords hashed with ASP.NET Core Identity's PasswordHasher.</summary>
public sealed class Accounts(
    NpgsqlDataSource dataSource, IPasswordHasher<AccountCredentials> hasher, IOptions<AccessOptions> options, TimeProvider time)
{
    private static readonly AccountCredentials Credentials = new();

    private const string Columns =
        "id, username, display_name, role, municipality_code, failed_logins, locked_until, disabled, created_at";

    public async Task<Account> CreateAsync(NewAccount account, CancellationToken ct)
    {
        const string Sql = $"""
            insert into accounts (id, username, display_name, password_hash, role, municipality_code, created_at)
            values (@id, @username, @displayName, @hash, @role, @municipalityCode, @now)
            returning {Columns}
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<Account>(new CommandDefinition(Sql, new
        {
            id = Guid.CreateVersion7(),
            username = account.Username.Trim(),
            displayName = account.DisplayName.Trim(),
            hash = hasher.HashPassword(Credentials, account.Password),
            role = account.Role,
            municipalityCode = account.MunicipalityCode,
            now = time.GetUtcNow(),
        }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken ct)
    {
        const string Sql = $"select {Columns} from accounts order by lower(username)";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<Account>(new CommandDefinition(Sql, cancellationToken: ct))).AsList();
    }

    public async Task<Account?> FindAsync(Guid id, CancellationToken ct)
    {
        const string Sql = $"select {Columns} from accounts where id = @id";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Account>(new CommandDefinition(Sql, new { id }, cancellationToken: ct));
    }

    public async Task<bool> AnyAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select exists (select 1 from accounts)", cancellationToken: ct));
    }

    /// <summary>
    /// Checks a password. Repeated failures lock the account for a while; a locked account stays
    /// locked even for the right password until the lock runs out or an administrator lifts it.
    /// </summary>
    public async Task<LoginResult> LoginAsync(string username, string password, CancellationToken ct)
    {
        const string Find = $"""
            select {Columns}, password_hash from accounts where lower(username) = lower(@username) for update
            """;
        const string Failed = "update accounts set failed_logins = @failures, locked_until = @lockedUntil where id = @id";
        const string Succeeded = "update accounts set failed_logins = 0, locked_until = null, password_hash = @hash where id = @id";

        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<AccountWithHash>(
            new CommandDefinition(Find, new { username }, tx, cancellationToken: ct));
        if (row is null)
        {
            // Spend the same time as a real check, so a stranger cannot tell which usernames exist.
            hasher.VerifyHashedPassword(Credentials, DummyHash.Value, password);
            return new LoginResult.WrongCredentials();
        }

        if (row.LockedUntil is { } until && until > now)
        {
            return new LoginResult.Locked(until);
        }

        var verdict = row.Disabled
            ? PasswordVerificationResult.Failed
            : hasher.VerifyHashedPassword(Credentials, row.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            // A lock that has run out starts the count afresh.
            var failures = row.LockedUntil is not null ? 1 : row.FailedLogins + 1;
            DateTimeOffset? lockedUntil = failures >= options.Value.MaxFailedLogins ? now + options.Value.LockoutDuration : null;
            await connection.ExecuteAsync(new CommandDefinition(Failed, new { id = row.Id, failures, lockedUntil },
                tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return lockedUntil is { } l ? new LoginResult.Locked(l) : new LoginResult.WrongCredentials();
        }

        var hash = verdict == PasswordVerificationResult.SuccessRehashNeeded
            ? hasher.HashPassword(Credentials, password)
            : row.PasswordHash;
        await connection.ExecuteAsync(new CommandDefinition(Succeeded, new { id = row.Id, hash }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new LoginResult.Success(row.ToAccount() with { FailedLogins = 0, LockedUntil = null });
    }

    public async Task<bool> UnlockAsync(Guid id, CancellationToken ct)
    {
        const string Sql = "update accounts set failed_logins = 0, locked_until = null where id = @id";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(Sql, new { id }, cancellationToken: ct)) == 1;
    }

    public async Task<bool> SetDisabledAsync(Guid id, bool disabled, CancellationToken ct)
    {
        const string Sql = "update accounts set disabled = @disabled where id = @id";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(Sql, new { id, disabled }, cancellationToken: ct)) == 1;
    }

    public async Task<bool> SetPasswordAsync(Guid id, string password, CancellationToken ct)
    {
        const string Sql = "update accounts set password_hash = @hash, failed_logins = 0, locked_until = null where id = @id";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(Sql,
            new { id, hash = hasher.HashPassword(Credentials, password) }, cancellationToken: ct)) == 1;
    }

    private readonly Lazy<string> DummyHash = new(() => hasher.HashPassword(Credentials, Guid.NewGuid().ToString()));

    private sealed record AccountWithHash(
        Guid Id, string Username, string DisplayName, string Role, string? MunicipalityCode,
        int FailedLogins, DateTimeOffset? LockedUntil, bool Disabled, DateTimeOffset CreatedAt, string PasswordHash)
    {
        public Account ToAccount() =>
            new(Id, Username, DisplayName, Role, MunicipalityCode, FailedLogins, LockedUntil, Disabled, CreatedAt);
    }
}
