using System.Diagnostics;
using Spark.Agent.Tools.Patch;
using Spark.Testing;

namespace Spark.Agent.Tests.Tools.Patch;

public class UnifiedDiffTests
{
    [Fact]
    public void Diff_SmallEdit_ShowsHunkWithThreeLinesOfContext()
    {
        string before = string.Join("\n", Enumerable.Range(1, 10).Select(i => $"l{i}")) + "\n";
        string after = before.Replace("l5\n", "L5\nnew\n", StringComparison.Ordinal);
        Assert.Equal("""
            --- a/f.txt
            +++ b/f.txt
            @@ -2,7 +2,8 @@
             l2
             l3
             l4
            -l5
            +L5
            +new
             l6
             l7
             l8

            """.Replace("\r", "", StringComparison.Ordinal), UnifiedDiff.Create(before, after, "f.txt", "f.txt"));
    }

    [Fact]
    public void Diff_AddedAndDeletedFiles_UseDevNull()
    {
        Assert.Equal("--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n", UnifiedDiff.Create(null, "a\nb\n", "n.txt", "n.txt"));
        Assert.Equal("--- a/o.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n", UnifiedDiff.Create("x\n", null, "o.txt", "o.txt"));
        Assert.Equal("", UnifiedDiff.Create("same\n", "same\n", "s", "s"));
    }

    [Fact]
    public void Diff_RandomEdits_AppliedByGnuPatch_ReproduceTheNewText()
    {
        if (Sandbox_FindPatch() is not { } patchPath) { Assert.Fail("GNU patch is not installed"); return; }
        var rng = new Random(7);
        using var dir = new TempDirectory();
        for (int round = 0; round < 25; round++)
        {
            var lines = Enumerable.Range(0, rng.Next(0, 60)).Select(_ => $"w{rng.Next(0, 8)}").ToList();
            var edited = new List<string>(lines);
            for (int e = rng.Next(1, 6); e > 0; e--)
            {
                int at = rng.Next(0, edited.Count + 1);
                switch (rng.Next(3))
                {
                    case 0: edited.Insert(at, $"new{rng.Next(100)}"); break;
                    case 1 when at < edited.Count: edited.RemoveAt(at); break;
                    default: if (at < edited.Count) edited[at] = $"chg{rng.Next(100)}"; break;
                }
            }
            string before = lines.Count == 0 ? "" : string.Join("\n", lines) + "\n";
            string after = edited.Count == 0 ? "" : string.Join("\n", edited) + "\n";
            string diff = UnifiedDiff.Create(before, after, "f.txt", "f.txt");
            if (before == after) { Assert.Equal("", diff); continue; }
            string file = dir.File("f.txt");
            File.WriteAllText(file, before);
            File.WriteAllText(dir.File("d.patch"), diff);
            var psi = new ProcessStartInfo(patchPath, ["--silent", "--batch", "-p1", "-i", "d.patch"])
            {
                WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            string err = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"round {round}: patch failed: {err}\n{diff}");
            Assert.Equal(after, File.Exists(file) ? File.ReadAllText(file) : "");
        }
    }

    private static string? Sandbox_FindPatch() =>
        new[] { "/usr/bin/patch", "/bin/patch" }.FirstOrDefault(File.Exists);
}
