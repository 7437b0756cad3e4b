namespace Spark.Testing;

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates a fresh temporary folder.</summary>
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "spark-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's path.</summary>
    public string Path { get; }

    /// <summary>A path for a file inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
