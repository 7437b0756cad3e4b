namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// The text synthetic vocabularies are learned from: plain English and a little C#, Python and shell, written for
/// Spark (no third-party text), so tokens look like the ones real models have.
/// </summary>
internal static class VocabularySample
{
    public const string Text = """"
        The quick brown fox jumps over the lazy dog. A language model reads a sequence of tokens and predicts the next
        one. Every token is a piece of text: a whole word, part of a word, a number, a space or a punctuation mark.
        When the model writes an answer, it samples one token at a time, appends it to the context, and repeats until
        it produces an end of text token or reaches the limit that the user asked for.

        Small models run well on a laptop. They are quick to load, use little memory, and answer simple questions in
        less than a second. Larger models know more about the world, write better code and follow longer instructions,
        but they need more memory and more time for each token. Quantization stores weights with fewer bits, which
        makes the file smaller and the matrix products faster, while keeping most of the quality.

        Before you start, install the runtime, open a terminal in the project folder and build the solution. Then run
        the tests, read the documentation, and try the first example from the README. If something does not work,
        check the error message: it should say what went wrong, where it happened, and what you can do about it.

        Once upon a time there was a small village near the sea. The people who lived there were fishermen and farmers.
        In the morning they went to the harbour, and in the evening they came back with baskets full of fish. Children
        played on the beach, old women sold bread and cheese in the market, and the teacher told stories about distant
        countries, great cities, mountains covered with snow, and rivers that flowed for thousands of miles.

        Questions and answers: What is the capital of France? Paris. How many days are there in a week? Seven. Which
        planet is closest to the sun? Mercury. Why is the sky blue? Because air scatters blue light more than red light.
        Who wrote this program? A team of engineers who care about speed, correctness and clear error messages.

        The server listens on a local port and speaks the same protocol as the public API, so existing clients work
        without changes. Requests are streamed: the first event arrives as soon as the first token exists, and the
        client can cancel at any moment. Sessions keep their cache between turns, so a long conversation stays fast.

        public sealed class Tokenizer
        {
            private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

            public int Count => _ids.Count;

            public IReadOnlyList<int> Encode(string text)
            {
                var result = new List<int>();
                foreach (string word in Split(text))
                {
                    if (_ids.TryGetValue(word, out int id)) result.Add(id);
                    else throw new ArgumentException($"unknown word '{word}'", nameof(text));
                }
                return result;
            }

            public static void Main(string[] args)
            {
                for (int i = 0; i < args.Length; i++)
                    Console.WriteLine($"{i}: {args[i]}");
                return;
            }
        }

        def fibonacci(n: int) -> list[int]:
            """Return the first n Fibonacci numbers."""
            result = [0, 1]
            while len(result) < n:
                result.append(result[-1] + result[-2])
            return result[:n]

        if __name__ == "__main__":
            import sys
            for value in fibonacci(int(sys.argv[1])):
                print(value)

        function sum(values) {
          let total = 0;
          for (const value of values) {
            total += value;
          }
          return total;
        }

        $ git status
        $ git commit -m "fix: handle empty input"
        $ dotnet build -c Release && dotnet test
        $ ls -la /usr/local/bin | grep spark
        $ curl -s http://127.0.0.1:8080/v1/models | jq .

        Numbers and dates: 0 1 2 3 4 5 6 7 8 9 10 12 16 20 24 32 64 100 128 256 512 1000 1024 2048 4096 2024 2025 2026
        3.14159 2.71828 1e-5 0.5 -1 +42 50% $100 #1 @user <tag> [list] {object} (group) a_b c-d e.f g/h i\j k|l m~n

        Grammar matters. Sentences begin with a capital letter and end with a full stop, a question mark or an
        exclamation mark! Commas separate parts of a sentence; semicolons join related ideas. "Quotes" mark speech,
        and apostrophes show possession or contraction: it's, don't, can't, won't, we're, they've, I'm, you'll, she'd.

        Functions, classes, interfaces, records, structs, enums, methods, properties, fields, events, delegates,
        arrays, lists, dictionaries, queues, stacks, tasks, threads, channels, streams, buffers, spans, vectors,
        matrices, tensors, kernels, layers, heads, embeddings, attention, normalization, activation, softmax, logits,
        sampling, temperature, probability, vocabulary, merges, bytes, characters, strings, numbers, booleans, nulls.

        Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August
        September October November December spring summer autumn winter morning afternoon evening night today
        yesterday tomorrow always never sometimes often usually because although however therefore meanwhile
        A recipe for bread: mix flour, water, salt and yeast in a large bowl. Knead the dough for ten minutes until it
        feels smooth and elastic, cover it with a towel, and leave it somewhere warm for an hour. Shape the loaf, bake
        it in a hot oven for forty minutes, and let it cool on a rack before slicing. Fresh bread smells wonderful.

        Science notes: water boils at one hundred degrees Celsius at sea level; light travels about three hundred
        thousand kilometres per second; the human heart beats roughly seventy times a minute; plants turn sunlight,
        carbon dioxide and water into sugar and oxygen; electrons, protons and neutrons make up atoms; gravity keeps
        planets in orbit around their stars, and galaxies contain billions of stars spread across enormous distances.

        Dear team, thank you for reviewing the proposal. We would like to schedule a meeting next Thursday to discuss
        the budget, the timeline and the remaining risks. Please send your comments before Wednesday evening, and
        let me know whether the afternoon works for you. Kind regards, and have a pleasant weekend.

        Travel diary: we arrived at the airport early, checked our luggage, and waited for the delayed flight. The
        hotel was quiet, the breakfast generous, and the museum nearby displayed paintings, sculptures and ancient
        coins. In the evening we walked along the river, watched the bridges light up, and tasted local dishes.

        interface IShape { double Area(); }
        record Circle(double Radius) : IShape { public double Area() => Math.PI * Radius * Radius; }
        record Rectangle(double Width, double Height) : IShape { public double Area() => Width * Height; }
        var shapes = new List<IShape> { new Circle(1.5), new Rectangle(2, 3) };
        Console.WriteLine(shapes.Sum(s => s.Area()).ToString("F2"));

        class Stack:
            def __init__(self):
                self.items = []
            def push(self, item):
                self.items.append(item)
            def pop(self):
                if not self.items:
                    raise IndexError("pop from empty stack")
                return self.items.pop()

        SELECT name, COUNT(*) AS total FROM orders WHERE created_at >= '2025-01-01' GROUP BY name ORDER BY total DESC;
        <html><head><title>Example</title></head><body><p class="note">Hello, world!</p></body></html>
        {"model": "spark", "input": "Write a haiku about autumn.", "stream": true, "max_output_tokens": 64}

        Animals: elephant giraffe zebra lion tiger leopard cheetah kangaroo koala penguin dolphin whale shark octopus
        squirrel rabbit hedgehog badger otter beaver raccoon wolf coyote buffalo camel donkey horse sheep goat chicken
        turkey pigeon sparrow eagle falcon owl parrot flamingo butterfly mosquito spider scorpion crocodile lizard frog.
        Colours and shapes: crimson scarlet orange amber yellow olive emerald turquoise azure indigo violet purple
        magenta beige brown grey silver golden triangle square pentagon hexagon octagon circle ellipse sphere cylinder.
        Kitchen: spoon knife fork plate bowl cup mug kettle toaster blender oven fridge freezer sink cupboard drawer
        saucepan frying pan chopping board grater peeler whisk ladle spatula colander napkin tablecloth dishwasher.
        Jobs: doctor nurse dentist pharmacist surgeon architect engineer plumber electrician carpenter mechanic pilot
        lawyer judge journalist photographer musician painter sculptor librarian accountant banker cashier waiter chef.
        Feelings: happy sad angry afraid surprised curious confident nervous grateful jealous proud ashamed bored
        excited relieved lonely hopeful disappointed embarrassed frustrated amazed delighted anxious calm cheerful.
        Verbs: accept achieve adjust allocate analyse announce apologise approve arrange assemble attach borrow breathe
        calculate celebrate choose collect compare compile complain compress configure connect consider construct
        convert deliver deploy describe destroy develop discover download encrypt enumerate evaluate examine execute
        explain explore extract forget generate govern guarantee hesitate identify ignore imagine implement improve
        include increase initialise inspect install interpret invent investigate iterate measure migrate monitor
        negotiate normalise observe obtain optimise organise overwrite parse persuade predict prepare preserve
        prevent publish purchase recognise recommend recover reduce refactor register release remember remove
        replace request require resolve restore retrieve satisfy schedule serialise simplify specify subscribe
        suggest summarise support suspend synchronise terminate translate transmit validate verify withdraw.
        Adjectives: abundant accurate ambitious ancient brilliant careful cautious clever clumsy comfortable complex
        concise convenient cozy deliberate delicate dense diligent distinct dynamic efficient elaborate elegant
        enormous exquisite fragile generous gentle gigantic graceful humble immense immutable incredible intricate
        invisible lightweight magnificent massive mysterious narrow nimble obscure peculiar precise predictable
        reliable robust rough shallow sincere slender sophisticated spacious sturdy subtle tremendous vivid wealthy.
        Places: Amsterdam Berlin Cairo Dublin Edinburgh Florence Geneva Helsinki Istanbul Jakarta Kyoto Lisbon Madrid
        Nairobi Oslo Prague Quebec Rome Stockholm Toronto Utrecht Vienna Warsaw Zurich Atlantic Pacific Himalaya Sahara.
        Computing: compiler interpreter runtime garbage collector allocator scheduler bootloader firmware hypervisor
        container orchestration microservice middleware endpoint websocket certificate encryption authentication
        authorization repository branch rebase checkout pipeline artifact dependency manifest namespace assembly
        reflection serialization deserialization concurrency parallelism synchronization deadlock semaphore mutex
        latency throughput bandwidth benchmark profiler regression coverage fixture assertion mock snapshot.
        """";
}
