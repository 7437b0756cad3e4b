namespace Spark.Engine.Templates;

/// <summary>Options for <see cref="ChatTemplate.Render"/>.</summary>
public sealed record ChatTemplateOptions
{
    /// <summary>The date and time <c>strftime_now</c> formats; null means the current local time.</summary>
    public DateTime? Now { get; init; }
}
