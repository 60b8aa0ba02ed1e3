namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// The pieces of SQL that go with a change of a call's state, each written once (docs/architecture.md,
/// "The life of a call"): record the call's event, instruct the platform, make an offer, return an
/// offer to the queue. Each builds one data-modifying CTE, named as below, that a routing statement
/// writes after its own change of the call (<c>with c as (update calls … returning …), {fragment}, …</c>),
/// so a step stays one statement and one round trip. The statements keep their text in
/// <c>static readonly</c> fields, built once.
/// <para>
/// The arguments are SQL text written in the code (an expression, a column, a parameter such as
/// <c>@me</c>), never a value: values go in as parameters. Every fragment reads <c>@now</c>; the
/// source (<c>from</c>, by default the statement's CTE <c>c</c>) gives the call's <c>id</c> and
/// <c>platform_call_id</c>, and may carry its own condition (<c>"c where state = 'offered'"</c>).
/// </para>
/// </summary>
internal static class CallSql
{
    /// <summary>The head of an insert of one event into the call's history.</summary>
    public const string InsertEvent = "insert into call_events (call_id, type, occurred_at, actor_id, data)";

    /// <summary>
    /// <c>e</c>: one <c>call_events</c> row per row of <paramref name="from"/>, at <c>@now</c>.
    /// <paramref name="type"/>, <paramref name="actor"/> (text: an account id as <c>@me::text</c>, or a
    /// part of the service such as <c>'sweeper'</c>) and <paramref name="data"/> (jsonb or null) are SQL.
    /// </summary>
    public static string Event(string type, string actor, string data = "null", string from = "c") => $"""
        e as (
            {InsertEvent}
            select id, {type}, @now, {actor}, {data} from {from}
        )
        """;

    /// <summary>
    /// <c>i</c>: one instruction to the platform (<c>telephony_instructions</c>, docs/telephony.md) per
    /// row of <paramref name="from"/>, of <paramref name="kind"/>, with the payload
    /// <c>{"operatorId": <paramref name="operatorId"/>, …}</c>; <paramref name="payload"/> adds pairs
    /// to it (<c>", 'mode', @mode::text"</c>). It returns the instruction's <c>seq</c>, which the
    /// <c>accepted</c> and <c>completed</c> events keep in their data (<see cref="InstructionSeq"/>).
    /// </summary>
    public static string Instruct(string kind, string operatorId, string payload = "", string from = "c") => $"""
        i as (
            insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
            select id, platform_call_id, '{kind}', jsonb_build_object('operatorId', {operatorId}{payload}), @now from {from}
            returning seq
        )
        """;

    /// <summary>
    /// The seq of the instruction the statement's <c>i</c> wrote, as event data to add
    /// (<c>data || InstructionSeq</c>): the view call_history_events finds through it the platform's
    /// confirmations stored on the instruction (docs/decisions/0026); an empty object when none was written.
    /// </summary>
    public const string InstructionSeq = "coalesce((select jsonb_build_object('instructionSeq', seq) from i), '{}'::jsonb)";

    /// <summary>
    /// <c>o</c> and <c>q</c>: the wait of each call of <paramref name="from"/> (a CTE with the call's
    /// <c>id</c>) ended by a statement that writes nothing else for it, the caller having hung up: an open
    /// offer is cleared from its operator's row (<c>operators.offered_call_id</c>), a queued call leaves
    /// <c>call_queue</c>. How the offer ended is in the call's history alone (the event after its
    /// <c>offered</c>, here the platform's <c>platform_ended</c>; docs/call-cost.md, P2), so
    /// <paramref name="resolution"/> ('withdrawn') only names it for the reader of the statement.
    /// </summary>
    public static string ResolveOffer(string resolution, string from = "c") => $"""
        o as (
            update operators set offered_call_id = null
            from {from} where operators.offered_call_id = {from}.id
        ), {Dequeue(from)}
        """;

    /// <summary>
    /// <c>q</c>: each call of <paramref name="from"/> (a CTE with the call's <c>id</c>, just set
    /// <c>queued</c>) entered in <c>call_queue</c>, the waiting calls in queue order (docs/decisions/0016).
    /// A call's priority and queued_at never change, so they are read as the statement found them.
    /// </summary>
    public static string Enqueue(string from = "c") => $"""
        q as (
            insert into call_queue (call_id, priority, queued_at)
            select k.id, k.priority, k.queued_at from {from} join calls k on k.id = {from}.id
        )
        """;

    /// <summary>
    /// <c>q</c>: each call of <paramref name="from"/> (a CTE with the call's <c>id</c>) taken out of
    /// <c>call_queue</c>, for a call just offered, picked or abandoned; it returns the <c>call_id</c>s it
    /// took out, so a statement can tell a call that waited from one that was offered.
    /// </summary>
    public static string Dequeue(string from = "c") => $"""
        q as (
            delete from call_queue using {from} where call_queue.call_id = {from}.id
            returning call_queue.call_id
        )
        """;

    /// <summary>The event data of an offer: to whom, and until when (<c>@expires</c>).</summary>
    public const string OfferedData = "jsonb_build_object('operatorId', offered_to, 'expiresAt', @expires)";

    /// <summary>
    /// Make an offer, for the calls of <paramref name="from"/> just set to <c>offered</c> (their
    /// <c>offered_to</c> the operator, until <c>offer_expires_at</c>): <c>i</c>, the platform told to
    /// ring the operator. The offer's record is its <c>offered</c> event (to whom, until when), which is
    /// the statement's own (<c>Event("'offered'", …, OfferedData)</c>; the intake's offer on arrival is
    /// stored in its <c>received</c> event's data under "offer" and shown as an <c>offered</c> event by
    /// the view <c>call_history_events</c>, docs/decisions/0023), and so is the offer on the
    /// operator's row (<c>offered_call_id</c> set and <c>assignments + 1</c>, docs/decisions/0008 and
    /// 0016), made only on a row the statement has locked with both <c>offered_call_id</c> and
    /// <c>call_id</c> null, whose other conditions differ between the intake and the dispatcher.
    /// </summary>
    public static string Offer(string from = "c") => Instruct("ring_operator", "offered_to", from: from);

    /// <summary>The columns of a call set back to waiting in its place (its <c>queued_at</c> unchanged), for <c>update calls set …</c>.</summary>
    public const string BackToQueue = """
        state = 'queued', offered_to = null, offered_at = null, offer_expires_at = null,
                         version = version + 1
        """;

    /// <summary>
    /// Return an offer to the queue, for the calls of <c>c</c> just set back (<see cref="BackToQueue"/>):
    /// <c>q</c>, the call back in <c>call_queue</c>;
    /// <c>e</c>, the event <paramref name="eventType"/> by <paramref name="actor"/> with
    /// <paramref name="data"/>, which records how the offer ended; <c>i</c>, the platform told to stop
    /// ringing <paramref name="operatorId"/>.
    /// </summary>
    public static string ReturnOffer(string eventType, string actor, string operatorId, string data = "null") =>
        $"{Enqueue()}, {Event(eventType, actor, data)}, {Instruct("stop_ringing", operatorId)}";

    /// <summary>
    /// For <c>update operators set …</c> in a statement that returns the calls of <c>c</c> to the queue
    /// (<see cref="ReturnOffer"/>): the operator's row no longer holds the offer. The statement updates
    /// the row anyway (idle_since, status), so this adds no write of its own.
    /// </summary>
    public const string OfferCleared = "offered_call_id = case when offered_call_id = c.id then null else offered_call_id end";
}
