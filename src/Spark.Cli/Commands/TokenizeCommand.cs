using System.CommandLine;
using System.Text;
using Spark.Engine.Gguf;
using Spark.Engine.Tokenization;

namespace Spark.Cli.Commands;

/// <summary>`spark tokenize`: the model's tokenization of a text, exactly as given.</summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "A GGUF file with a vocabulary (a model or a vocab-only file).", Required = true };
        var text = new Option<string?>("--text") { Description = "The text to tokenize." };
        var textFile = new Option<string?>("--text-file") { Description = "A file whose every byte is tokenized (no trimming)." };
        var idsOnly = new Option<bool>("--ids-only") { Description = "Print only the token ids, space-separated, on one line." };
        var addSpecial = new Option<bool>("--add-special") { Description = "Add BOS/EOS as the model's metadata says and parse special-token text." };
        var command = new Command("tokenize", "Tokenize text with a model's tokenizer (no special tokens added or parsed unless --add-special).")
        {
            model, text, textFile, idsOnly, addSpecial,
        };
        command.Validators.Add(result =>
        {
            bool hasText = result.GetResult(text) is not null, hasFile = result.GetResult(textFile) is not null;
            if (hasText == hasFile) result.AddError("give exactly one of --text TEXT or --text-file PATH");
        });
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string input = parse.GetValue(text) ?? ReadExactly(parse.GetValue(textFile)!);
            using var gguf = GgufFile.Open(parse.GetValue(model)!);
            var tokenizer = Tokenizer.FromGguf(gguf.Metadata);
            bool special = parse.GetValue(addSpecial);
            int[] ids = tokenizer.Encode(input, addSpecial: special, parseSpecial: special);
            var output = new StringBuilder();
            if (parse.GetValue(idsOnly))
            {
                output.AppendJoin(' ', ids).Append('\n');
            }
            else
            {
                foreach (int id in ids) output.Append(id).Append('\t').Append(Escape(tokenizer.TokenText(id))).Append('\n');
                output.Append(ids.Length).Append(" tokens\n");
            }
            Console.Out.Write(output.ToString());
            return CliErrors.Ok;
        }));
        return command;
    }

    /// <summary>Reads every byte as UTF-8 without dropping a byte-order mark or trailing newline.</summary>
    private static string ReadExactly(string path) => new UTF8Encoding(false, false).GetString(File.ReadAllBytes(path));

    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('\'');
        foreach (char c in s)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\'': sb.Append("\\'"); break;
                case '\\': sb.Append("\\\\"); break;
                default: sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c); break;
            }
        }
        return sb.Append('\'').ToString();
    }
}
