using Xunit;

namespace Spark.Testing;

/// <summary>
/// Locates the third-party conformance data in ../shared/conformance beside the repository root
/// (or in SPARK_CONFORMANCE_DIR), so conformance tests can run when it is there and skip loudly when not.
/// </summary>
public static class ConformanceData
{
    private static readonly Lazy<string?> s_root = new(Find);

    /// <summary>The conformance folder, or null when it is absent.</summary>
    public static string? Root => s_root.Value;

    /// <summary>The reason conformance tests give when they skip.</summary>
    public const string SkipReason = "SKIP: conformance data not found (expected ../shared/conformance beside the repository, or SPARK_CONFORMANCE_DIR)";

    /// <summary>A path inside the conformance folder; throws when the folder is absent.</summary>
    public static string PathOf(params string[] parts) =>
        System.IO.Path.Combine([Root ?? throw new InvalidOperationException(SkipReason), .. parts]);

    private static string? Find()
    {
        string? env = Environment.GetEnvironmentVariable("SPARK_CONFORMANCE_DIR");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Spark.sln")))
            {
                string candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "conformance"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }
}

/// <summary>A fact that is reported as skipped, with a loud reason, when the conformance data is absent.</summary>
public sealed class ConformanceFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute, skipping when the data is absent.</summary>
    public ConformanceFactAttribute()
    {
        if (ConformanceData.Root is null) Skip = ConformanceData.SkipReason;
    }
}

/// <summary>A theory that is reported as skipped, with a loud reason, when the conformance data is absent.</summary>
public sealed class ConformanceTheoryAttribute : TheoryAttribute
{
    /// <summary>Creates the attribute, skipping when the data is absent.</summary>
    public ConformanceTheoryAttribute()
    {
        if (ConformanceData.Root is null) Skip = ConformanceData.SkipReason;
    }
}
