using System.IO;
using System.Text;
using System.Threading.Tasks;
using ProfilePositions.Engine.Http;
using Xunit;

namespace ProfilePositions.Engine.Tests;

/// <summary>Reading an envelope's answer as bytes: exactly its length, and text by its byte order mark when it has one.</summary>
public sealed class ResponseBytesTests
{
    [Theory]
    [InlineData("utf-16LE")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    public void A_body_with_a_byte_order_mark_is_decoded_by_it(string encodingName)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        var bytes = Concat(encoding.GetPreamble(), encoding.GetBytes("""{"responses":[]}"""));

        Assert.Equal("""{"responses":[]}""", GraphTransport.DecodeByByteOrderMark(bytes));
    }

    [Fact]
    public async Task Exactly_the_given_length_is_read_and_a_shorter_stream_is_an_io_error()
    {
        var body = Encoding.UTF8.GetBytes("""{"responses":[]}""");

        Assert.Equal(body, await GraphTransport.ReadExactlyAsync(new MemoryStream(body), body.Length));
        var error = await Assert.ThrowsAsync<IOException>(() => GraphTransport.ReadExactlyAsync(new MemoryStream(body), body.Length + 5));
        Assert.Contains($"after {body.Length} of its {body.Length + 5} bytes", error.Message);
    }

    private static byte[] Concat(byte[] first, byte[] second)
    {
        var all = new byte[first.Length + second.Length];
        first.CopyTo(all, 0);
        second.CopyTo(all, first.Length);
        return all;
    }
}
