namespace Spark.Server.Backends;

/// <summary>
/// Where a finished generation left its conversation, so a follow-up (a steered response's successor) can continue
/// from exactly the tokens in the KV cache instead of re-tokenizing the generated text — text produced token by token
/// does not always tokenize back to the same tokens, and every token that differs would be prefilled again.
/// </summary>
/// <param name="PromptText">The rendered prompt the generation ran on.</param>
/// <param name="Tokens">Its prompt tokens followed by the tokens it generated.</param>
/// <param name="OutputText">The text those generated tokens decode to (what the client saw).</param>
public sealed record GenerationContinuation(string PromptText, int[] Tokens, string OutputText);
