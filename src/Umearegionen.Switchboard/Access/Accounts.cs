using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Identity;

namespace Umearegionen.Switchboard.Access;

/// <summary>A local account. Its security stamp never leaves the service except inside its tokens.</summary>
public sealed record Account(
    Guid Id, string Username, string DisplayName, string Role, string? MunicipalityCode,
    int FailedLogins, DateTimeOffset? LockedUntil, bool Disabled, DateTimeOffset CreatedAt,
    [property: JsonIgnore] string SecurityStamp);

/// <summary>Marker type for the password hasher (the hash does not depend on the user object).</summary>
public sealed class AccountCredentials;

public abstract record LoginResult
{
    public sealed record Success(Account Account) : LoginResult;

    /// <summary>Wrong password, unknown username, locked or disabled account: one answer, so a stranger learns nothing.</summary>
    public sealed record WrongCredentials : LoginResult;
}

public sealed record NewAccount(string Username, string DisplayName, string Role, string? MunicipalityCode, string Password);

/// <summary>What an administrator's change of an account came to.</summary>
public abstract record AccountChange
{
    public sealed record Done(Account Account) : AccountChange;
    public sealed record NotFound : AccountChange;

    /// <summary>Refused, with a message the administrator can act on (the last administrator, oneself).</summary>
    public sealed record Refused(string Reason) : AccountChange;
}

/// <summary>
/// The service's own accounts: passwords hashed with ASP.NET Core Identity's PasswordHasher. Every
/// administrator's change goes through <see cref="ChangeAsync"/>: the account's row locked, the
/// change checked and written, the account's sessions ended where the change calls for it
/// (<see cref="Sessions"/>), and the access log written, in one transaction.
/// </summary>
public sealed class Accounts(
    NpgsqlDataSource dataSource, IPasswordHasher<AccountCredentials> hasher, IOptions<AccessOptions> options,
    TimeProvider time, AccessLog accessLog, Sessions sessions)
{
    private static readonly AccountCredentials Credentials = new();

    private const string Columns =
        "id, username, display_name, role, municipality_code, failed_logins, locked_until, disabled, created_at, security_stamp";

    public async Task<Account> CreateAsync(NewAccount account, AccessActor actor, CancellationToken ct)
    {
        const string Sql = $"""
            insert into accounts (id, username, display_name, password_hash, role, municipality_code, created_at)
            values (@id, @username, @displayName, @hash, @role, @municipalityCode, @now)
            returning {Columns}
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var created = await connection.QuerySingleAsync<Account>(new CommandDefinition(Sql, new
        {
            id = Guid.CreateVersion7(),
            username = account.Username.Trim(),
            displayName = account.DisplayName.Trim(),
            hash = hasher.HashPassword(Credentials, account.Password),
            role = account.Role,
            municipalityCode = account.MunicipalityCode,
            now = time.GetUtcNow(),
        }, tx, cancellationToken: ct));
        await accessLog.RecordAsync(connection, tx, actor, new AccessLogRecord(AccessActions.AccountCreated, "account",
            created.Id.ToString(), Detail: RoleText(created.Role, created.MunicipalityCode)), ct);
        await tx.CommitAsync(ct);
        return created;
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
    /// locked even for the right password until the lock runs out or an administrator lifts it. A
    /// failure is written to the access log: against the account when the username exists, and
    /// without any of the typed text when it does not (a password typed into the wrong field).
    /// Every failure answers alike and costs one hash check, so the answer does not tell a stranger
    /// whether the username exists; the lock shows in the accounts list and the access log.
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
            await accessLog.RecordAsync(connection, tx, AccessActor.Anonymous,
                new AccessLogRecord(AccessActions.LoginFailed, "account", Detail: "unknown username"), ct);
            await tx.CommitAsync(ct);
            return new LoginResult.WrongCredentials();
        }

        if (row.LockedUntil is { } until && until > now)
        {
            hasher.VerifyHashedPassword(Credentials, DummyHash.Value, password);
            await accessLog.RecordAsync(connection, tx, AccessActor.Anonymous,
                new AccessLogRecord(AccessActions.LoginFailed, "account", row.Id.ToString(), Detail: "account locked"), ct);
            await tx.CommitAsync(ct);
            return new LoginResult.WrongCredentials();
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
            var why = row.Disabled ? "account disabled" : lockedUntil is not null ? "wrong password; account now locked" : "wrong password";
            await accessLog.RecordAsync(connection, tx, AccessActor.Anonymous,
                new AccessLogRecord(AccessActions.LoginFailed, "account", row.Id.ToString(), Detail: why), ct);
            await tx.CommitAsync(ct);
            return new LoginResult.WrongCredentials();
        }

        var hash = verdict == PasswordVerificationResult.SuccessRehashNeeded
            ? hasher.HashPassword(Credentials, password)
            : row.PasswordHash;
        await connection.ExecuteAsync(new CommandDefinition(Succeeded, new { id = row.Id, hash }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new LoginResult.Success(row.ToAccount() with { FailedLogins = 0, LockedUntil = null });
    }

    public Task<AccountChange> UnlockAsync(Guid id, AccessActor actor, CancellationToken ct) =>
        ChangeAsync(id, actor, (account, _) => new Change(
            "update accounts set failed_logins = 0, locked_until = null where id = @id", null,
            AccessActions.AccountUnlocked, null, EndsSessions: false), ct);

    public Task<AccountChange> SetDisabledAsync(Guid id, bool disabled, AccessActor actor, CancellationToken ct) =>
        ChangeAsync(id, actor, (account, administrators) =>
        {
            if (account.Disabled == disabled)
            {
                return Change.Nothing;
            }

            if (disabled && string.Equals(account.Id.ToString(), actor.Id, StringComparison.OrdinalIgnoreCase))
            {
                return Change.Refuse("You cannot disable your own account; ask another administrator to do it.");
            }

            if (disabled && account.Role == Roles.Administrator && administrators <= 1)
            {
                return Change.Refuse(LastAdministrator);
            }

            return new Change(
                "update accounts set disabled = @disabled, security_stamp = @stamp where id = @id", new { disabled },
                disabled ? AccessActions.AccountDisabled : AccessActions.AccountEnabled, null, EndsSessions: disabled);
        }, ct);

    /// <summary>An administrator sets a new password: every session the account has ends.</summary>
    public Task<AccountChange> SetPasswordAsync(Guid id, string password, AccessActor actor, CancellationToken ct) =>
        ChangeAsync(id, actor, (_, _) => new Change(
            "update accounts set password_hash = @hash, failed_logins = 0, locked_until = null, security_stamp = @stamp where id = @id",
            new { hash = hasher.HashPassword(Credentials, password) },
            AccessActions.PasswordReset, null, EndsSessions: true), ct);

    /// <summary>A new role (and municipality): the tokens issued for the old one stop working.</summary>
    public Task<AccountChange> SetRoleAsync(Guid id, string role, string? municipalityCode, AccessActor actor, CancellationToken ct) =>
        ChangeAsync(id, actor, (account, administrators) =>
        {
            if (account.Role == role && account.MunicipalityCode == municipalityCode)
            {
                return Change.Nothing;
            }

            if (account.Role == Roles.Administrator && role != Roles.Administrator && !account.Disabled && administrators <= 1)
            {
                return Change.Refuse(LastAdministrator);
            }

            return new Change(
                "update accounts set role = @role, municipality_code = @municipalityCode, security_stamp = @stamp where id = @id",
                new { role, municipalityCode },
                AccessActions.RoleChanged,
                $"{RoleText(account.Role, account.MunicipalityCode)} → {RoleText(role, municipalityCode)}",
                EndsSessions: true);
        }, ct);

    private const string LastAdministrator =
        "This is the last active administrator. Make another account an administrator first, then try again.";

    /// <summary>
    /// One administrator's change: the account's row (and every active administrator's, so two
    /// administrators cannot demote each other at once and leave none) locked, the change decided on
    /// what is stored, written with a new security stamp, the account's sessions ended where the
    /// change calls for it, and the access log written; all in one transaction.
    /// </summary>
    private async Task<AccountChange> ChangeAsync(
        Guid id, AccessActor actor, Func<Account, int, Change> decide, CancellationToken ct)
    {
        const string LockSql = $"""
            select id from accounts where id = @id or (role = 'administrator' and not disabled) order by id for update;
            select {Columns} from accounts where id = @id;
            select count(*)::int from accounts where role = 'administrator' and not disabled;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        Account? account;
        int administrators;
        await using (var read = await connection.QueryMultipleAsync(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct)))
        {
            await read.ReadAsync<Guid>();
            account = await read.ReadSingleOrDefaultAsync<Account>();
            administrators = await read.ReadSingleAsync<int>();
        }

        if (account is null)
        {
            return new AccountChange.NotFound();
        }

        var change = decide(account, administrators);
        if (change.Refusal is { } refusal)
        {
            return new AccountChange.Refused(refusal);
        }

        if (change.Sql is null)
        {
            return new AccountChange.Done(account);
        }

        var args = new DynamicParameters(change.Args);
        args.Add("id", id);
        args.Add("stamp", change.EndsSessions ? Sessions.NewStamp() : account.SecurityStamp);
        await connection.ExecuteAsync(new CommandDefinition(change.Sql, args, tx, cancellationToken: ct));
        if (change.EndsSessions)
        {
            await sessions.EndInTransactionAsync(connection, tx, id, ct);
        }

        await accessLog.RecordAsync(connection, tx, actor,
            new AccessLogRecord(change.Action!, "account", id.ToString(), Detail: change.Detail), ct);
        var changed = await connection.QuerySingleAsync<Account>(new CommandDefinition(
            $"select {Columns} from accounts where id = @id", new { id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        if (change.EndsSessions)
        {
            sessions.Ended(id);
        }

        return new AccountChange.Done(changed);
    }

    private static string RoleText(string role, string? municipalityCode) =>
        municipalityCode is null ? role : $"{role} ({municipalityCode})";

    private sealed record Change(string? Sql, object? Args, string? Action, string? Detail, bool EndsSessions, string? Refusal = null)
    {
        public static readonly Change Nothing = new(null, null, null, null, false);

        public static Change Refuse(string reason) => new(null, null, null, null, false, reason);
    }

    private readonly Lazy<string> DummyHash = new(() => hasher.HashPassword(Credentials, Guid.NewGuid().ToString()));

    private sealed record AccountWithHash(
        Guid Id, string Username, string DisplayName, string Role, string? MunicipalityCode,
        int FailedLogins, DateTimeOffset? LockedUntil, bool Disabled, DateTimeOffset CreatedAt, string SecurityStamp,
        string PasswordHash)
    {
        public Account ToAccount() =>
            new(Id, Username, DisplayName, Role, MunicipalityCode, FailedLogins, LockedUntil, Disabled, CreatedAt, SecurityStamp);
    }
}
