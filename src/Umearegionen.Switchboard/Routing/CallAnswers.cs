using Umearegionen.Switchboard.Answers;

namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// A call answered with an answer (docs/answers.md, "Answered with an answer"): the answer the operator
/// read out is checked before the call ends and kept in call_answers (0620) by the ending statement.
/// </summary>
internal static class CallAnswers
{
    /// <summary>The ending statement's part that keeps the answer (@answerId null: none); follows the CTE c.</summary>
    public const string Record = """
        , ca as (
            insert into call_answers (call_id, answer_id, question, answered_at)
            select id, @answerId, @question, @now from c where @answerId::uuid is not null
        )
        """;

    /// <summary>
    /// The answer's question, when it exists, is valid today (the call's date, Europe/Stockholm) and is the
    /// call's municipality's or shared; otherwise an invalid-input refusal naming answerId.
    /// </summary>
    public static async Task<string> CheckAsync(NpgsqlConnection conn, Guid callId, Guid answerId, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = """
            select a.question, a.municipality_code, a.valid_from, a.valid_to,
                   (select c.municipality_code from calls c where c.id = @callId) as call_municipality
            from answers a where a.id = @answerId
            """;
        var answer = await conn.QuerySingleOrDefaultAsync<AnswerUse>(new CommandDefinition(Sql, new { callId, answerId }, cancellationToken: ct))
                     ?? throw RoutingErrors.Invalid($"answerId {answerId} is not an answer; choose one of the answers listed for the call.");
        var today = AnswerStore.Today(now);
        if ((answer.ValidFrom is { } from && from > today) || (answer.ValidTo is { } to && to < today))
        {
            throw RoutingErrors.Invalid(
                $"answerId names an answer valid {answer.ValidFrom?.ToString("yyyy-MM-dd") ?? "…"}–{answer.ValidTo?.ToString("yyyy-MM-dd") ?? "…"}, " +
                $"not on the call's date {today:yyyy-MM-dd}; choose an answer valid today.");
        }

        if (answer.MunicipalityCode is { } code && code != answer.CallMunicipality)
        {
            throw RoutingErrors.Invalid(
                $"answerId names an answer of municipality {code}, but the call is to {answer.CallMunicipality ?? "no known municipality"}; " +
                "choose the call's municipality's answer or a shared one.");
        }

        return answer.Question;
    }

    private sealed record AnswerUse(string Question, string? MunicipalityCode, DateOnly? ValidFrom, DateOnly? ValidTo, string? CallMunicipality);
}
