namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>
/// Checks opening rules for mistakes an editor can correct. Rules usually arrive as JSON, so
/// "non-nullable" members are checked for null too.
/// </summary>
internal static class OpeningRulesValidation
{
    private static readonly DayOfWeek[] MondayFirst =
    [
        DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday,
        DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday,
    ];

    public static IReadOnlyList<RuleError> Validate(OpeningRules rules)
    {
        var errors = new List<RuleError>();
        ValidateWeekly(rules.Weekly, errors);
        ValidateExceptions(rules.Exceptions, errors);
        ValidateHolidays(rules.Holidays, errors);
        ValidateClosedAction(rules.WhenClosed, errors);
        return errors;
    }

    private static void ValidateWeekly(WeeklySchedule? weekly, List<RuleError> errors)
    {
        if (weekly is null)
        {
            errors.Add(new("Weekly", "The weekly schedule is missing."));
            return;
        }

        // Place every interval on one week, Monday 00:00 = 0, so that an interval running past
        // midnight is compared with the next day's intervals (Sunday's with Monday's).
        var placed = new List<IntervalOverlaps.Placed>();
        for (int d = 0; d < MondayFirst.Length; d++)
        {
            var day = MondayFirst[d];
            var ranges = weekly.For(day);
            if (ranges is null)
            {
                errors.Add(new($"Weekly.{day}", $"The list of intervals for {day} is missing; use an empty list when closed."));
                continue;
            }

            for (int i = 0; i < ranges.Count; i++)
            {
                var path = $"Weekly.{day}[{i}]";
                if (ranges[i] is not { } range)
                {
                    errors.Add(new(path, $"Interval {i + 1} on {day} is missing."));
                    continue;
                }

                var label = $"{day} {range}" + IntervalOverlaps.Spill(range, $"into {MondayFirst[(d + 1) % 7]}");
                var start = TimeSpan.FromDays(d) + range.Start.ToTimeSpan();
                placed.Add(new(path, label, start, start + range.Length));
            }
        }

        IntervalOverlaps.AddOverlaps(placed, TimeSpan.FromDays(7), errors);
    }

    private static void ValidateExceptions(IReadOnlyList<DateException>? exceptions, List<RuleError> errors)
    {
        if (exceptions is null)
        {
            errors.Add(new("Exceptions", "The list of exceptions is missing; use an empty list when there are none."));
            return;
        }

        for (int i = 0; i < exceptions.Count; i++)
        {
            var path = $"Exceptions[{i}]";
            if (exceptions[i] is not { } e)
            {
                errors.Add(new(path, "The exception is missing."));
                continue;
            }

            if (e.From > e.To)
            {
                errors.Add(new($"{path}.To", $"The exception ends ({e.To:yyyy-MM-dd}) before it starts ({e.From:yyyy-MM-dd}); correct one of the dates."));
            }

            foreach (var (name, date) in new[] { ("From", e.From), ("To", e.To) })
            {
                if (date.Year is < SwedishCalendar.FirstSupportedYear or > SwedishCalendar.LastSupportedYear)
                {
                    errors.Add(new($"{path}.{name}", $"{date:yyyy-MM-dd} is outside the supported years {SwedishCalendar.FirstSupportedYear}–{SwedishCalendar.LastSupportedYear}."));
                }
            }

            if (string.IsNullOrWhiteSpace(e.Reason))
            {
                errors.Add(new($"{path}.Reason", "Give a reason; operators see it when the hours deviate."));
            }

            if (e.Closed && e.Hours is { Count: > 0 })
            {
                errors.Add(new($"{path}.Hours", "A closed exception cannot have opening hours; remove the hours or untick Closed."));
            }
            else if (!e.Closed)
            {
                ValidateHours(e.Hours, $"{path}.Hours", "Give opening hours, or mark the exception as closed.", errors);
            }

            if (e.Weekdays is { } weekdays)
            {
                if (weekdays.Count == 0)
                {
                    errors.Add(new($"{path}.Weekdays", "Select at least one weekday, or leave the weekday filter out to cover every day."));
                }

                foreach (var bad in weekdays.Where(d => !Enum.IsDefined(d)))
                {
                    errors.Add(new($"{path}.Weekdays", $"{(int)bad} is not a weekday."));
                }
            }
        }

        AddAmbiguousExceptions(exceptions, errors);
    }

    /// <summary>
    /// The shortest exception wins on a date; two equally long ones covering the same date leave
    /// no winner, so the editor must resolve it.
    /// </summary>
    private static void AddAmbiguousExceptions(IReadOnlyList<DateException> exceptions, List<RuleError> errors)
    {
        for (int j = 0; j < exceptions.Count; j++)
        {
            for (int i = 0; i < j; i++)
            {
                if (exceptions[i] is not { } a || exceptions[j] is not { } b || a.LengthInDays != b.LengthInDays)
                {
                    continue;
                }

                var first = a.From > b.From ? a.From : b.From;
                var last = a.To < b.To ? a.To : b.To;

                // A week is enough to meet every weekday, so the loop stays short for long ranges.
                for (var date = first; date <= last && date.DayNumber - first.DayNumber < 7; date = date.AddDays(1))
                {
                    if (a.Covers(date) && b.Covers(date))
                    {
                        errors.Add(new($"Exceptions[{j}]",
                            $"\"{b.Reason}\" and \"{a.Reason}\" (Exceptions[{i}]) both cover {date:yyyy-MM-dd} and are equally long, so neither wins; shorten or merge one of them."));
                        break;
                    }
                }
            }
        }
    }

    private static void ValidateHolidays(HolidayPolicy? holidays, List<RuleError> errors)
    {
        if (holidays is null)
        {
            errors.Add(new("Holidays", "The holiday policy is missing."));
            return;
        }

        ValidateTreatment(holidays.PublicHoliday, "Holidays.PublicHoliday", errors);
        ValidateTreatment(holidays.Paskafton, "Holidays.Paskafton", errors);
        ValidateTreatment(holidays.Midsommarafton, "Holidays.Midsommarafton", errors);
        ValidateTreatment(holidays.Julafton, "Holidays.Julafton", errors);
        ValidateTreatment(holidays.Nyarsafton, "Holidays.Nyarsafton", errors);
        ValidateTreatment(holidays.DayBeforeHoliday, "Holidays.DayBeforeHoliday", errors);
    }

    private static void ValidateTreatment(DayTreatment? treatment, string path, List<RuleError> errors)
    {
        if (treatment is null)
        {
            errors.Add(new(path, "The treatment is missing; use Normal, Closed, Hours or CloseEarly."));
            return;
        }

        switch (treatment.Kind)
        {
            case DayTreatmentKind.Hours:
                ValidateHours(treatment.Hours, $"{path}.Hours", "Give opening hours, or use Closed.", errors);
                break;
            case DayTreatmentKind.CloseEarly when treatment.At is null:
                errors.Add(new($"{path}.At", "Give the time to close at."));
                break;
            case DayTreatmentKind.Normal or DayTreatmentKind.Closed or DayTreatmentKind.CloseEarly:
                break;
            default:
                errors.Add(new($"{path}.Kind", $"{(int)treatment.Kind} is not a known treatment."));
                return;
        }

        // Leftovers from another treatment would be silently ignored; say so instead.
        if (treatment.Kind != DayTreatmentKind.Hours && treatment.Hours is { Count: > 0 })
        {
            errors.Add(new($"{path}.Hours", $"Hours are only used with the Hours treatment, not {treatment.Kind}; remove them."));
        }

        if (treatment.Kind != DayTreatmentKind.CloseEarly && treatment.At is not null)
        {
            errors.Add(new($"{path}.At", $"A closing time is only used with CloseEarly, not {treatment.Kind}; remove it."));
        }
    }

    /// <summary>
    /// Hours that apply on each of several dates; an interval past midnight must not run into the
    /// next date's first interval, since the same hours may apply on consecutive days.
    /// </summary>
    private static void ValidateHours(IReadOnlyList<TimeRange>? hours, string path, string whenEmpty, List<RuleError> errors)
    {
        if (hours is null || hours.Count == 0)
        {
            errors.Add(new(path, whenEmpty));
            return;
        }

        var placed = new List<IntervalOverlaps.Placed>();
        for (int i = 0; i < hours.Count; i++)
        {
            if (hours[i] is not { } range)
            {
                errors.Add(new($"{path}[{i}]", $"Interval {i + 1} is missing."));
                continue;
            }

            var label = range + IntervalOverlaps.Spill(range, "into the next day");
            var start = range.Start.ToTimeSpan();
            placed.Add(new($"{path}[{i}]", label, start, start + range.Length));
        }

        IntervalOverlaps.AddOverlaps(placed, TimeSpan.FromDays(1), errors);
    }

    private static void ValidateClosedAction(ClosedAction? action, List<RuleError> errors)
    {
        switch (action)
        {
            case null:
                errors.Add(new("WhenClosed", "Say what callers are offered when closed; use None for nothing."));
                break;
            case { Kind: ClosedActionKind.OnCallNumber } when !IsPhoneNumber(action.Phone):
                errors.Add(new("WhenClosed.Phone", "Give the phone number callers are referred to, e.g. 090-16 10 00."));
                break;
            case { Kind: ClosedActionKind.EService } when !IsWebAddress(action.Url):
                errors.Add(new("WhenClosed.Url", "Give the full web address of the e-service, starting with https://."));
                break;
            case { Kind: ClosedActionKind.Message } when string.IsNullOrWhiteSpace(action.Text):
                errors.Add(new("WhenClosed.Text", "Write the message callers are given."));
                break;
            case { Kind: ClosedActionKind.None or ClosedActionKind.OnCallNumber or ClosedActionKind.EService or ClosedActionKind.Callback or ClosedActionKind.Message }:
                break;
            default:
                errors.Add(new("WhenClosed.Kind", $"{(int)action.Kind} is not a known action."));
                break;
        }
    }

    private static bool IsPhoneNumber(string? phone) =>
        !string.IsNullOrWhiteSpace(phone)
        && phone.Any(char.IsAsciiDigit)
        && phone.All(c => char.IsAsciiDigit(c) || c is ' ' or '-' or '+' or '(' or ')');

    private static bool IsWebAddress(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
