namespace Umearegionen.Switchboard.Routing;

/// <summary>The telephony platform's API (docs/telephony.md): it reports calls and polls for instructions.</summary>
public static class TelephonyApi
{
    public static RouteGroupBuilder MapTelephony(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/telephony")
            .RequireAuthorization(Policies.Telephony)
            .WithTags("Telephony");

        group.MapPost("/calls", ReportCall).WithSummary("Report a new call (idempotent on platformCallId)")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/calls/{platformCallId}/events", ReportEvent)
            .WithSummary("Report that a call was answered, transferred or ended (idempotent on eventId)");
        group.MapGet("/instructions", Poll).WithSummary("Instructions not yet acknowledged, in sequence order (long poll)");
        group.MapPost("/instructions/ack", Acknowledge).WithSummary("Acknowledge instructions carried out");
        group.MapPost("/report", Report)
            .WithSummary("Report what the platform has done: acknowledgements and events stored in one transaction (preferred)");
        return group;
    }

    private static async Task<Results<Created<CallReceipt>, Ok<CallReceipt>, ValidationProblem, ProblemHttpResult>> ReportCall(
        NewCallReport report, CallIntake intake, CancellationToken ct)
    {
        var errors = new FieldErrors();
        errors.Required("platformCallId", report.PlatformCallId, 200);
        // A withheld number comes as "anonymous"; anything else must be written as a number.
        if (!PhoneNumbers.IsWrittenAsNumber(report.CallerNumber) && !CallIntake.IsAnonymous(report.CallerNumber))
        {
            errors.Add("callerNumber",
                "callerNumber must be a telephone number, e.g. 070-123 45 67 or +46701234567, or \"anonymous\" for a withheld number.");
        }

        if (!PhoneNumbers.IsWrittenAsNumber(report.DialledNumber))
        {
            errors.Add("dialledNumber", "dialledNumber must be the telephone number the caller dialled.");
        }

        errors.Optional("menuTopic", report.MenuTopic, 100);
        if (report.Priority is < 0 or > 9)
        {
            errors.Add("priority", "priority must be between 0 (normal) and 9 (most urgent).");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var (receipt, differs) = await intake.ReceiveAsync(report, ct);
        if (differs.Count > 0)
        {
            return Problems.Conflict(
                $"A call with platformCallId \"{receipt.PlatformCallId}\" was already reported with another {string.Join(", ", differs)}. " +
                "A retry must repeat the first report exactly; a new call needs a platformCallId of its own.");
        }

        return receipt.Created
            ? TypedResults.Created($"/api/telephony/calls/{Uri.EscapeDataString(receipt.PlatformCallId)}", receipt)
            : TypedResults.Ok(receipt);
    }

    private static async Task<Results<Ok<EventReceipt>, ProblemHttpResult, ValidationProblem>> ReportEvent(
        string platformCallId, CallEventReport report, CallIntake intake, CancellationToken ct)
    {
        var errors = new FieldErrors();
        errors.Required("eventId", report.EventId, 200);
        if (!PlatformEventTypes.All.Contains(report.Type))
        {
            errors.Add("type", $"type must be one of {string.Join(", ", PlatformEventTypes.All)}.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var receipt = await intake.RecordEventAsync(platformCallId, report, ct);
        return receipt is null
            ? Problems.NotFound($"No call with platform call id \"{platformCallId}\" has been reported; report the call first.")
            : TypedResults.Ok(receipt);
    }

    private static async Task<Results<Ok<InstructionBatch>, ValidationProblem>> Poll(
        Instructions instructions, CancellationToken ct, long after = 0, int waitSeconds = 0, int limit = 500)
    {
        var errors = new FieldErrors();
        if (after < 0)
        {
            errors.Add("after", "after must be 0 or a sequence number received earlier.");
        }

        if (waitSeconds is < 0 or > 120)
        {
            errors.Add("waitSeconds", "waitSeconds must be between 0 and 120.");
        }

        if (limit is < 1 or > 5000)
        {
            errors.Add("limit", "limit must be between 1 and 5000.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return TypedResults.Ok(await instructions.PollAsync(after, TimeSpan.FromSeconds(waitSeconds), limit, ct));
    }

    private static async Task<Results<NoContent, ValidationProblem>> Acknowledge(
        AcknowledgeRequest request, Instructions instructions, CancellationToken ct)
    {
        if (request.Seqs is null || request.Seqs.Count is 0 or > 5000)
        {
            return Problems.Validation("seqs", "seqs must list between 1 and 5000 sequence numbers.");
        }

        await instructions.AcknowledgeAsync(request.Seqs, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PlatformReportReceipt>, ValidationProblem>> Report(
        PlatformReport report, PlatformReports reports, CancellationToken ct)
    {
        var acknowledge = report.Acknowledge ?? [];
        var events = report.Events ?? [];
        var errors = new FieldErrors();
        if (acknowledge.Count == 0 && events.Count == 0)
        {
            errors.Add("acknowledge", "A report acknowledges instructions, reports events, or both: acknowledge and events cannot both be empty.");
            errors.Add("events", "A report acknowledges instructions, reports events, or both: acknowledge and events cannot both be empty.");
        }

        if (acknowledge.Count > PlatformReport.MaxAcknowledge)
        {
            errors.Add("acknowledge", $"acknowledge may list at most {PlatformReport.MaxAcknowledge} sequence numbers (it has {acknowledge.Count}).");
        }
        else
        {
            for (var i = 0; i < acknowledge.Count; i++)
            {
                if (acknowledge[i] < 1)
                {
                    errors.Add($"acknowledge[{i}]", $"acknowledge[{i}] must be the seq of an instruction received (1 or more).");
                }
            }
        }

        if (events.Count > PlatformReport.MaxEvents)
        {
            errors.Add("events", $"events may list at most {PlatformReport.MaxEvents} events (it has {events.Count}); send the rest in another report.");
        }
        else
        {
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i] is not { } e)
                {
                    errors.Add($"events[{i}]", $"events[{i}] must be an event.");
                    continue;
                }

                errors.Required($"events[{i}].platformCallId", e.PlatformCallId, 200);
                errors.Required($"events[{i}].eventId", e.EventId, 200);
                if (!PlatformEventTypes.All.Contains(e.Type))
                {
                    errors.Add($"events[{i}].type", $"events[{i}].type must be one of {string.Join(", ", PlatformEventTypes.All)}.");
                }

                if (e.InstructionSeq is < 1)
                {
                    errors.Add($"events[{i}].instructionSeq", $"events[{i}].instructionSeq must be the seq of the instruction that produced the event (1 or more), or left out.");
                }
            }
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return TypedResults.Ok(await reports.StoreAsync(acknowledge, [.. events.Select(e => e!)], ct));
    }
}
