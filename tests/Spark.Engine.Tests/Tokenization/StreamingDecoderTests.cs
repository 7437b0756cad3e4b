using Spark.Engine.Tokenization;
using Spark.Testing;

namespace Spark.Engine.Tests.Tokenization;

public class StreamingDecoderTests
{
    private static readonly Tokenizer s_spm = Tokenizer.FromGguf(TinyVocab.Spm().AddByteTokens()
        .Add("▁").Add("a").Add("▁hello", 1).Add("€", 1).Metadata());

    private static int B(int b) => s_spm.Id($"<0x{b:X2}>");

    [Fact]
    public void Append_EuroSignSplitOverThreeByteTokens_HeldBackUntilComplete()
    {
        var d = new StreamingDecoder(s_spm);

        Assert.Equal("", d.Append(B(0xE2)).ToString());
        Assert.Equal(1, d.PendingBytes);
        Assert.Equal("", d.Append(B(0x82)).ToString());
        Assert.Equal("€", d.Append(B(0xAC)).ToString());
        Assert.Equal(0, d.PendingBytes);
    }

    [Fact]
    public void Append_EmojiSplitAcrossTokens_EmitsTheSurrogatePairTogether()
    {
        var d = new StreamingDecoder(s_spm);

        Assert.Equal(" hello", d.Append(s_spm.Id("▁hello")).ToString());
        Assert.Equal("", d.Append(B(0xF0)).ToString());
        Assert.Equal("", d.Append(B(0x9F)).ToString());
        Assert.Equal("", d.Append(B(0xA6)).ToString());
        Assert.Equal("🦙", d.Append(B(0x99)).ToString());
    }

    [Fact]
    public void Append_IncompleteSequenceThenPlainText_FlushesReplacementInsteadOfHolding()
    {
        var d = new StreamingDecoder(s_spm);

        Assert.Equal("", d.Append(B(0xE2)).ToString());
        Assert.Equal("\uFFFDa", d.Append(s_spm.Id("a")).ToString());
        Assert.Equal(0, d.PendingBytes);
    }

    [Fact]
    public void Append_StrayContinuationByte_EmitsReplacementImmediately()
    {
        var d = new StreamingDecoder(s_spm);

        Assert.Equal("\uFFFD", d.Append(B(0x82)).ToString());
    }

    [Fact]
    public void Flush_PendingBytes_EmitsReplacementAndResets()
    {
        var d = new StreamingDecoder(s_spm);
        d.Append(B(0xE2));
        d.Append(B(0x82));

        Assert.Equal("\uFFFD", d.Flush().ToString());
        Assert.Equal(0, d.PendingBytes);
        Assert.Equal("a", d.Append(s_spm.Id("a")).ToString());
    }

    [Fact]
    public void Append_ControlToken_EmptyUnlessRenderSpecial()
    {
        Assert.Equal("", new StreamingDecoder(s_spm).Append(2).ToString());
        Assert.Equal("</s>", new StreamingDecoder(s_spm, renderSpecial: true).Append(2).ToString());
    }

    [Fact]
    public void Append_CallerSpan_WritesIntoIt()
    {
        var d = new StreamingDecoder(s_spm);
        Span<char> buffer = stackalloc char[d.MaxCharsPerToken];

        int n = d.Append(s_spm.Id("€"), buffer);

        Assert.Equal("€", buffer[..n].ToString());
    }

    [Fact]
    public void Append_DestinationTooSmall_ThrowsNamingTheSizeNeeded()
    {
        var d = new StreamingDecoder(s_spm);

        var e = Assert.Throws<ArgumentException>(() => d.Append(s_spm.Id("▁hello"), new char[2]));
        Assert.Contains("destination has 2 chars but this token may need 6", e.Message);
    }

    [Fact]
    public void Append_ManyTokensAfterWarmup_AllocatesNothing()
    {
        var d = new StreamingDecoder(s_spm);
        int[] ids = [s_spm.Id("▁hello"), B(0xE2), B(0x82), B(0xAC), s_spm.Id("a"), B(0xF0), 2, B(0x9F), s_spm.Id("€")];
        var buffer = new char[d.MaxCharsPerToken];
        int chars = 0;
        foreach (int id in ids) chars += d.Append(id, buffer) + d.Append(id).Length; // warm up both paths
        chars += d.Flush().Length;

        long allocated = SteadyStateAllocations.Measure(() =>
        {
            for (int round = 0; round < 1000; round++)
            {
                foreach (int id in ids) chars += d.Append(id, buffer) + d.Append(id).Length;
                chars += d.Flush(buffer);
            }
        });

        Assert.True(chars > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Append_IdOutOfRange_Throws()
    {
        var d = new StreamingDecoder(s_spm);

        Assert.Throws<ArgumentOutOfRangeException>(() => d.Append(s_spm.VocabSize));
    }

    [Fact]
    public void Flush_DestinationTooSmall_ThrowsNamingPendingCount()
    {
        var d = new StreamingDecoder(s_spm);
        d.Append(B(0xF0));
        d.Append(B(0x9F));

        var e = Assert.Throws<ArgumentException>(() => d.Flush(new char[1]));
        Assert.Contains("destination has 1 chars but 2 are pending", e.Message);
    }

    [Fact]
    public void Reset_PendingBytes_DroppedWithoutOutput()
    {
        var d = new StreamingDecoder(s_spm);
        d.Append(B(0xE2));

        d.Reset();

        Assert.Equal(0, d.PendingBytes);
        Assert.Equal("a", d.Append(s_spm.Id("a")).ToString());
    }
}
