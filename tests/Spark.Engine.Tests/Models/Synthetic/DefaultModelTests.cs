using Spark.Engine.Gguf;
using Spark.Engine.Models.Synthetic;
using Spark.Testing;

namespace Spark.Engine.Tests.Models.Synthetic;

/// <summary>These tests change SPARK_HOME for the process; xunit runs a class's tests one at a time.</summary>
public sealed class DefaultModelTests : IDisposable
{
    private readonly TempDirectory _home = new();
    private readonly string? _previous = Environment.GetEnvironmentVariable("SPARK_HOME");

    public DefaultModelTests() => Environment.SetEnvironmentVariable("SPARK_HOME", _home.Path);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("SPARK_HOME", _previous);
        _home.Dispose();
    }

    [Fact]
    public void EnsureCreated_FirstCallWrites_LaterCallsReuse()
    {
        var log = new List<string>();
        string path = DefaultModel.EnsureCreated(log.Add);
        Assert.Equal(Path.Combine(_home.Path, "models", DefaultModel.FileName), path);
        Assert.Single(log);
        Assert.StartsWith("creating the default model at ", log[0]);
        using (var f = GgufFile.Open(path))
        {
            Assert.Equal("llama", f.Metadata.GetString("general.architecture"));
            Assert.Equal("spark-synthetic tiny f16 seed 1", f.Metadata.GetString("general.name"));
        }
        var written = File.GetLastWriteTimeUtc(path);
        byte[] bytes = File.ReadAllBytes(path);

        Assert.Equal(path, DefaultModel.EnsureCreated(log.Add));
        Assert.Single(log);
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary files left behind
    }

    [Fact]
    public void EnsureCreated_TruncatedCache_IsRecreated()
    {
        string path = DefaultModel.EnsureCreated();
        byte[] good = File.ReadAllBytes(path);
        File.WriteAllBytes(path, good[..(good.Length / 2)]);

        var log = new List<string>();
        Assert.Equal(path, DefaultModel.EnsureCreated(log.Add));
        Assert.Equal($"default model at {path} is unreadable; re-creating it", Assert.Single(log));
        Assert.Equal(good, File.ReadAllBytes(path));
    }

    [Fact]
    public void EnsureCreated_GarbageCache_IsRecreated()
    {
        string path = DefaultModel.PathOnDisk;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "not a gguf file");
        Assert.Equal(path, DefaultModel.EnsureCreated());
        Assert.True(DefaultModel.IsUsable(path));
    }

    [Fact]
    public void EnsureCreated_RacingCallers_AllGetAUsableFile()
    {
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() => DefaultModel.EnsureCreated())).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
        Assert.True(DefaultModel.IsUsable(DefaultModel.PathOnDisk));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(DefaultModel.PathOnDisk)!));
    }

    [Fact]
    public void HomeDirectory_HonoursSparkHome()
    {
        Assert.Equal(Path.GetFullPath(_home.Path), DefaultModel.HomeDirectory);
        Environment.SetEnvironmentVariable("SPARK_HOME", null);
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".spark"), DefaultModel.HomeDirectory);
    }
}
