using System.Net.Http;
using System.Net.Sockets;
using ProfilePositions.Engine.Http;

namespace ProfilePositions.Engine.Tests;

/// <summary>Verbose lines are one line each; a proxy that refuses the tunnel means the request was not sent.</summary>
public sealed class LogLineTests
{
    [Theory]
    [InlineData("one line", "one line")]
    [InlineData("first\nsecond", "first second")]
    [InlineData("first  \r\n\r\n  second\r\n", "first second")]
    [InlineData("", "")]
    public void AVerboseLineIsOneLine(string text, string expected)
    {
        Assert.Equal(expected, EngineEvents.OneLine(text));

        var events = new EngineEvents();
        events.Verbose(text);
        Assert.True(events.TryTake(out var line));
        Assert.Equal(expected, line.Text);
    }

    [Fact]
    public void BodiesAreDebugLinesOnlyWhenDebugIsWanted()
    {
        var events = new EngineEvents();
        events.Debug("{\"jobTitle\":\"x\"}");
        Assert.False(events.TryTake(out _));

        events.WantsDebug = true;
        events.Debug("{\"jobTitle\":\"x\"}\n");
        Assert.True(events.TryTake(out var line));
        Assert.Equal(EngineEventKind.Debug, line.Kind);
    }

    [Fact]
    public void AProxyThatRefusesTheTunnelMeansNothingWasSent()
    {
        Assert.Equal(TransportFailureKind.NotSent, TransportFailure.Classify(new HttpRequestException(HttpRequestError.ProxyTunnelError, "The proxy tunnel request to proxy 'http://127.0.0.1:3128/' failed with status code '403'.")));
        Assert.Equal(TransportFailureKind.ConnectionLost, TransportFailure.Classify(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.")));
        Assert.Equal(TransportFailureKind.NotSent, TransportFailure.Classify(new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused))));
    }
}
