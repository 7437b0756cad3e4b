using System.Text;
using Spark.Agent.Policy;

namespace Spark.Agent.Tools.Patch;

/// <summary>
/// Applies a parsed patch to the workspace all-or-nothing: first every file's new content is computed in memory
/// (any missing file or unmatched hunk fails the whole patch before a byte is written), then the files are written
/// one by one, each through a temporary file and a rename; if a write fails, the files already written are put back.
/// </summary>
internal sealed class PatchApplier(Workspace workspace, string? baseDirectory = null)
{
    /// <summary>A file's state before and after the patch; a null content means the file does not exist.</summary>
    private sealed class FileState(string path, byte[]? original)
    {
        public string Path { get; } = path;
        public byte[]? Original { get; } = original;
        public string? Content { get; set; } = original is null ? null : Encoding.UTF8.GetString(original);
    }

    public IReadOnlyList<FileChange> Apply(IReadOnlyList<PatchOperation> operations)
    {
        var states = new Dictionary<string, FileState>(StringComparer.Ordinal);
        var order = new List<FileState>();
        var changes = new List<FileChange>();

        FileState StateOf(string realPath)
        {
            if (states.TryGetValue(realPath, out var s)) return s;
            if (Directory.Exists(realPath))
                throw new PatchApplyException($"{workspace.Relative(realPath)}: is a directory, not a file.");
            s = new FileState(realPath, File.Exists(realPath) ? File.ReadAllBytes(realPath) : null);
            if (s.Original is { } bytes && Array.IndexOf(bytes, (byte)0) >= 0)
                throw new PatchApplyException($"{workspace.Relative(realPath)}: is a binary file; apply_patch edits text files only.");
            states.Add(realPath, s);
            order.Add(s);
            return s;
        }

        foreach (var op in operations)
        {
            string real = workspace.Resolve(op.Path, baseDirectory);
            string shown = workspace.Relative(real);
            var state = StateOf(real);
            switch (op)
            {
                case AddFileOperation add:
                    changes.Add(new FileChange(FileChangeKind.Added, shown) { Diff = UnifiedDiff.Create(state.Content, add.Contents, shown, shown) });
                    state.Content = add.Contents;
                    break;
                case DeleteFileOperation:
                    if (state.Content is null)
                        throw new PatchApplyException($"{shown}: cannot delete (patch line {op.LineNumber}): the file does not exist.");
                    changes.Add(new FileChange(FileChangeKind.Deleted, shown) { Diff = UnifiedDiff.Create(state.Content, null, shown, shown) });
                    state.Content = null;
                    break;
                case UpdateFileOperation update:
                    if (state.Content is null)
                        throw new PatchApplyException(
                            $"{shown}: cannot update (patch line {op.LineNumber}): the file does not exist. Use '*** Add File:' to create it.");
                    string updated = update.Hunks.Count == 0 ? state.Content : HunkApplier.Apply(shown, state.Content, update.Hunks);
                    if (update.MoveTo is { } moveTo)
                    {
                        string destination = workspace.Resolve(moveTo, baseDirectory);
                        var target = StateOf(destination);
                        string movedTo = workspace.Relative(destination);
                        changes.Add(new FileChange(FileChangeKind.Moved, shown, movedTo) { Diff = UnifiedDiff.Create(state.Content, updated, shown, movedTo) });
                        state.Content = null;
                        target.Content = updated;
                    }
                    else
                    {
                        changes.Add(new FileChange(FileChangeKind.Updated, shown) { Diff = UnifiedDiff.Create(state.Content, updated, shown, shown) });
                        state.Content = updated;
                    }
                    break;
            }
        }

        Commit(order);
        return changes;
    }

    private void Commit(List<FileState> files)
    {
        var done = new List<FileState>();
        var createdDirectories = new List<string>();
        try
        {
            foreach (var file in files)
            {
                byte[]? wanted = file.Content is null ? null : Encoding.UTF8.GetBytes(file.Content);
                if (wanted is null && file.Original is null) continue;
                if (wanted is not null && file.Original is not null && wanted.AsSpan().SequenceEqual(file.Original)) continue;
                done.Add(file);
                if (wanted is null) File.Delete(file.Path);
                else WriteAtomically(file.Path, wanted, createdDirectories);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string failed = workspace.Relative(done[^1].Path);
            string restored = RollBack(done, createdDirectories);
            throw new PatchApplyException($"{failed}: could not be written ({e.Message}). {restored}");
        }
    }

    private static void WriteAtomically(string path, byte[] content, List<string> createdDirectories)
    {
        string directory = Path.GetDirectoryName(path)!;
        var missing = new Stack<string>();
        for (string? d = directory; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d)) missing.Push(d);
        foreach (string d in missing)
        {
            Directory.CreateDirectory(d);
            createdDirectories.Add(d);
        }
        string temp = Path.Join(directory, $".{Path.GetFileName(path)}.spark-{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, content);
            if (!OperatingSystem.IsWindows() && File.Exists(path)) File.SetUnixFileMode(temp, File.GetUnixFileMode(path)); // keep e.g. the executable bit
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private string RollBack(List<FileState> done, List<string> createdDirectories)
    {
        var notRestored = new List<string>();
        for (int i = done.Count - 1; i >= 0; i--)
        {
            var file = done[i];
            try
            {
                if (file.Original is null) { if (File.Exists(file.Path)) File.Delete(file.Path); }
                else File.WriteAllBytes(file.Path, file.Original);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                notRestored.Add(workspace.Relative(file.Path));
            }
        }
        for (int i = createdDirectories.Count - 1; i >= 0; i--)
        {
            try { Directory.Delete(createdDirectories[i]); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return notRestored.Count == 0
            ? "No file was changed: the files written before the failure were restored."
            : $"Restoring failed for: {string.Join(", ", notRestored)}; check those files.";
    }
}
