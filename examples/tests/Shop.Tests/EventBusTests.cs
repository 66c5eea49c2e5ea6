using Shop.Core.Messaging;
using Xunit;

namespace Shop.Tests;

public sealed class EventBusTests
{
    [Fact]
    public async Task PublishAsync_sends_through_the_transport()
    {
        var transport = new RecordingTransport();
        var bus = new EventBus(transport);

        await bus.PublishAsync("orders.placed", "17");

        Assert.Equal(new[] { ("orders.placed", "17") }, transport.Sent);
    }

    [Fact]
    public void PublishInBackground_eventually_sends()
    {
        var transport = new RecordingTransport();
        var bus = new EventBus(transport);

        bus.PublishInBackground("orders.cancelled", "4");

        Assert.True(transport.WaitForFirst(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Outbox_is_flushed_in_order()
    {
        var transport = new RecordingTransport();
        var bus = new EventBus(transport);
        bus.Enqueue("a", "1");
        bus.Enqueue("b", "2");

        int sent = await bus.FlushOutboxAsync();

        Assert.Equal(2, sent);
        Assert.Equal(new[] { "a", "b" }, transport.Sent.Select(m => m.Topic));
    }

    [Fact]
    public async Task Replay_is_not_supported()
    {
        var bus = new EventBus(new RecordingTransport());

        await Assert.ThrowsAsync<NotSupportedException>(() => bus.ReplayAsync(DateTimeOffset.UtcNow)); // asynclint: silent (ASYNC203) — the task is passed on
    }
}
