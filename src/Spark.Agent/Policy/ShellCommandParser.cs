using System.Text;

namespace Spark.Agent.Policy;

/// <summary>
/// Parses bash command lines the way bash splits them into words (single and double quotes, backslash escapes,
/// line continuations, comments), enough to match approval rules against what will actually run. Anything whose
/// effect cannot be read off the words is reported as a hazard rather than guessed at.
/// </summary>
public static class ShellCommandParser
{
    private static readonly HashSet<string> Shells = ["bash", "sh", "zsh", "dash", "/bin/bash", "/bin/sh", "/usr/bin/bash"];
    private static readonly HashSet<string> ControlWords = ["if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function", "select"];
    private const int MaxNesting = 3;

    /// <summary>Parses a command line; never throws (malformed input is reported as a hazard).</summary>
    public static ParsedShellCommand Parse(string commandLine) => Parse(commandLine, 0);

    private static ParsedShellCommand Parse(string line, int depth)
    {
        var state = new State(line);
        state.Run();
        var commands = new List<SimpleCommand>();
        foreach (var command in state.Commands)
        {
            // bash -c "…" / bash -lc "…": the inner command line is what runs.
            var argv = command.Argv;
            if (depth < MaxNesting && argv.Count == 3 && Shells.Contains(argv[0]) && argv[1] is "-c" or "-lc" or "-ec")
            {
                var inner = Parse(argv[2], depth + 1);
                commands.AddRange(inner.Commands);
                state.Hazards.AddRange(inner.Hazards);
                continue;
            }
            commands.Add(command);
        }
        // What a substitution runs is a command too: deny rules must see "rm" in "echo $(rm -rf x)".
        if (depth < MaxNesting)
            foreach (string body in state.Substitutions)
                commands.AddRange(Parse(body, depth + 1).Commands);
        return new ParsedShellCommand(commands, state.Hazards.Distinct().ToList());
    }

    private enum Redirect { None, Output, Input, HereString }

    private sealed class State(string line)
    {
        private readonly StringBuilder _word = new();
        private bool _inWord;
        private int _firstQuoteAt = -1;
        private bool _wordHasDigitsOnly = true;
        private readonly List<string> _words = [];
        private Redirect _pending;
        private bool _pendingDup;

        public List<SimpleCommand> Commands { get; } = [];
        public List<string> Hazards { get; } = [];
        public List<string> Substitutions { get; } = [];

        public void Run()
        {
            int i = 0;
            while (i < line.Length)
            {
                char c = line[i];
                switch (c)
                {
                    case ' ' or '\t' or '\r':
                        EndWord(); i++; break;
                    case '\n':
                        EndWord(); EndCommand(); i++; break;
                    case '\\':
                        if (i + 1 < line.Length && line[i + 1] == '\n') { i += 2; break; }
                        if (i + 1 < line.Length) { Append(line[i + 1], quoted: true); i += 2; }
                        else i++;
                        break;
                    case '\'':
                    {
                        int end = line.IndexOf('\'', i + 1);
                        if (end < 0) { Hazards.Add("unterminated single quote"); i = line.Length; break; }
                        MarkQuote();
                        _word.Append(line, i + 1, end - i - 1);
                        i = end + 1;
                        break;
                    }
                    case '"':
                        i = DoubleQuoted(i);
                        break;
                    case '$' when i + 1 < line.Length && line[i + 1] == '(':
                        Hazards.Add("command substitution $(…)");
                        i = SkipBalanced(i + 1, '(', ')', appendTo: true);
                        break;
                    case '`':
                    {
                        Hazards.Add("command substitution `…`");
                        int end = line.IndexOf('`', i + 1);
                        Substitutions.Add(line[(i + 1)..(end < 0 ? line.Length : end)]);
                        Append(line[i..(end < 0 ? line.Length : end + 1)]);
                        i = end < 0 ? line.Length : end + 1;
                        break;
                    }
                    case '#' when !_inWord:
                        while (i < line.Length && line[i] != '\n') i++;
                        break;
                    case '&':
                        EndWord();
                        if (Next(i) == '&') { EndCommand(); i += 2; }
                        else if (Next(i) == '>') { StartRedirect(Redirect.Output); i += Next(i + 1) == '>' ? 3 : 2; }
                        else { EndCommand(); i++; }
                        break;
                    case '|':
                        EndWord(); EndCommand();
                        i += Next(i) is '|' or '&' ? 2 : 1;
                        break;
                    case ';':
                        EndWord(); EndCommand(); i++;
                        break;
                    case '(' or ')':
                        EndWord(); EndCommand();
                        Hazards.Add("subshell ( … )");
                        i++;
                        break;
                    case '<':
                        if (Next(i) == '(') { Hazards.Add("process substitution <(…)"); i = SkipBalanced(i + 1, '(', ')', appendTo: false); break; }
                        DropFdPrefix();
                        EndWord();
                        if (Next(i) == '<' && Next(i + 1) == '<') { StartRedirect(Redirect.HereString); i += 3; }
                        else if (Next(i) == '<')
                        {
                            Hazards.Add("here-document <<");
                            i = line.Length; // the body follows on the next lines: it is data, not commands
                        }
                        else { StartRedirect(Redirect.Input); i += Next(i) == '&' ? 2 : 1; }
                        break;
                    case '>':
                        if (Next(i) == '(') { Hazards.Add("process substitution >(…)"); i = SkipBalanced(i + 1, '(', ')', appendTo: false); break; }
                        DropFdPrefix();
                        EndWord();
                        StartRedirect(Redirect.Output);
                        if (Next(i) == '&') { _pendingDup = true; i += 2; }
                        else i += Next(i) is '>' or '|' ? 2 : 1;
                        break;
                    default:
                        Append(c, quoted: false); i++;
                        break;
                }
            }
            EndWord();
            EndCommand();
            if (_pending != Redirect.None) Hazards.Add("redirection without a target");
        }

        private char Next(int i) => i + 1 < line.Length ? line[i + 1] : '\0';

        private int DoubleQuoted(int i)
        {
            MarkQuote();
            _inWord = true;
            int j = i + 1;
            while (j < line.Length && line[j] != '"')
            {
                char c = line[j];
                if (c == '\\' && j + 1 < line.Length && line[j + 1] is '$' or '`' or '"' or '\\' or '\n')
                {
                    if (line[j + 1] != '\n') _word.Append(line[j + 1]);
                    j += 2;
                    continue;
                }
                if (c == '$' && j + 1 < line.Length && line[j + 1] == '(')
                {
                    Hazards.Add("command substitution $(…)");
                    int end = SkipBalanced(j + 1, '(', ')', appendTo: true);
                    j = end;
                    continue;
                }
                if (c == '`') Hazards.Add("command substitution `…`");
                _word.Append(c);
                j++;
            }
            if (j >= line.Length) { Hazards.Add("unterminated double quote"); return line.Length; }
            return j + 1;
        }

        private int SkipBalanced(int open, char opening, char closing, bool appendTo)
        {
            int depth = 0, j = open;
            for (; j < line.Length; j++)
            {
                if (line[j] == opening) depth++;
                else if (line[j] == closing && --depth == 0) { j++; break; }
            }
            int bodyEnd = j <= line.Length && j > open && line[j - 1] == closing ? j - 1 : line.Length;
            Substitutions.Add(line[(open + 1)..Math.Max(open + 1, bodyEnd)]);
            if (appendTo) Append(line[(open - 1)..Math.Min(j, line.Length)]);
            return j;
        }

        private void MarkQuote()
        {
            if (_firstQuoteAt < 0) _firstQuoteAt = _word.Length;
            _wordHasDigitsOnly = false;
            _inWord = true;
        }

        private void Append(char c, bool quoted)
        {
            if (quoted) MarkQuote();
            else if (!char.IsAsciiDigit(c)) _wordHasDigitsOnly = false;
            _word.Append(c);
            _inWord = true;
        }

        private void Append(string s)
        {
            _word.Append(s);
            _wordHasDigitsOnly = false;
            _inWord = true;
        }

        // "2>file", "2>&1": the digits before the operator name a file descriptor, not an argument.
        private void DropFdPrefix()
        {
            if (_inWord && _wordHasDigitsOnly && _word.Length > 0) ResetWord();
        }

        private void StartRedirect(Redirect kind)
        {
            if (_pending != Redirect.None) Hazards.Add("redirection without a target");
            _pending = kind;
            _pendingDup = false;
        }

        private void EndWord()
        {
            if (!_inWord) return;
            string word = _word.ToString();
            int firstQuote = _firstQuoteAt;
            ResetWord();
            if (_pending != Redirect.None)
            {
                if (_pending == Redirect.Output && !IsHarmlessTarget(word, _pendingDup))
                    Hazards.Add($"output redirection to '{word}'");
                _pending = Redirect.None;
                return;
            }
            // An assignment only counts before the command word, and only if the '=' is not quoted.
            if (_words.Count == _assignmentsSeen && IsAssignment(word, firstQuote)) { _words.Add(word); _assignmentsSeen++; return; }
            _words.Add(word);
        }

        private int _assignmentsSeen;

        private void ResetWord()
        {
            _word.Clear();
            _inWord = false;
            _firstQuoteAt = -1;
            _wordHasDigitsOnly = true;
        }

        private void EndCommand()
        {
            if (_words.Count > 0)
            {
                var assignments = _words.Take(_assignmentsSeen).ToList();
                var argv = _words.Skip(_assignmentsSeen).ToList();
                while (argv.Count > 0 && argv[0] is "!" or "{" or "}" or "time" || (argv.Count > 0 && ControlWords.Contains(argv[0])))
                {
                    if (ControlWords.Contains(argv[0])) Hazards.Add($"control structure '{argv[0]}'");
                    argv.RemoveAt(0);
                }
                if (argv.Count > 0) Commands.Add(new SimpleCommand(argv, assignments));
            }
            _words.Clear();
            _assignmentsSeen = 0;
        }

        private static bool IsHarmlessTarget(string target, bool dup) =>
            target == "/dev/null" || (dup && (target == "-" || target.All(char.IsAsciiDigit)));

        private static bool IsAssignment(string word, int firstQuote)
        {
            int eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || (firstQuote >= 0 && firstQuote < eq)) return false;
            if (!(char.IsAsciiLetter(word[0]) || word[0] == '_')) return false;
            for (int k = 1; k < eq; k++)
                if (!(char.IsAsciiLetterOrDigit(word[k]) || word[k] == '_')) return k == eq - 1 && word[k] == '+';
            return true;
        }
    }
}
