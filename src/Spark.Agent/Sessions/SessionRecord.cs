namespace Spark.Agent.Sessions;

/// <summary>
/// The line types of a session file (one JSON object per line, <c>type</c> first):
/// <c>session_meta</c> (id, created_at, cwd, model, base_url) once at the top, <c>turn_started</c> (turn_id,
/// prompt, at) per user turn, <c>item</c> (a Responses item exactly as sent or received) per conversation item, and
/// <c>turn_completed</c> (turn_id, at, input/cached/output tokens) or <c>turn_aborted</c> (turn_id, at) when the user interrupted it,
/// and <c>model_switched</c> (model, at) when the conversation goes on with another model. Replaying the items restores the
/// history; the last model named (by <c>session_meta</c> or a <c>model_switched</c>) is the one a resume continues with.
/// Readers skip line types they do not know, so a file with newer line types stays readable by older readers.
/// </summary>
public static class SessionRecord
{
    /// <summary>The first line.</summary>
    public const string Meta = "session_meta";
    /// <summary>A user turn began.</summary>
    public const string TurnStarted = "turn_started";
    /// <summary>One conversation item.</summary>
    public const string Item = "item";
    /// <summary>A user turn was interrupted by the user (turn_id, at); its partial answer and a note follow as items.</summary>
    public const string TurnAborted = "turn_aborted";
    /// <summary>A user turn finished.</summary>
    public const string TurnCompleted = "turn_completed";
    /// <summary>The conversation continues with another model (model, at): <c>/model</c>, or a resume with <c>--model</c>.</summary>
    public const string ModelSwitched = "model_switched";
}
