namespace Shop.Core.Messaging;

public interface IMessageTransport
{
    Task SendAsync(string topic, string payload, CancellationToken ct);
}

public sealed class TransportException : Exception
{
    public TransportException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>Publishes domain events through a transport, with a small retry policy.</summary>
public sealed class EventBus
{
    private const int MaxAttempts = 3;

    private readonly IMessageTransport _transport;
    private readonly Action<string> _log;
    private readonly List<(string Topic, string Payload)> _outbox = new();

    public EventBus(IMessageTransport transport, Action<string>? log = null)
    {
        _transport = transport;
        _log = log ?? (_ => { });
    }

    public async Task PublishAsync(string topic, string payload, CancellationToken ct = default)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await _transport.SendAsync(topic, payload, ct).ConfigureAwait(false); // asynclint: silent (ASYNC203) — a ConfigureAwait chain that is awaited
                return;
            }
            catch (TransportException ex) when (attempt < MaxAttempts)
            {
                _log($"publish to {topic} failed ({ex.Message}), retry {attempt}");
                Thread.Sleep(250 * attempt); // asynclint: ASYNC102 — await Task.Delay
            }
        }
    }

    /// <summary>Old synchronous entry point, still used by the importer.</summary>
    public void Publish(string topic, string payload)
    {
        PublishAsync(topic, payload); // asynclint: ASYNC203 — dropped in a sync method, where the compiler says nothing
    }

    public void PublishInBackground(string topic, string payload)
    {
        _ = PublishAsync(topic, payload); // asynclint: ASYNC204 — an explicit discard: fire and forget, the exception is lost (info; not ASYNC203)
    }

    public Task PublishManyAsync(IEnumerable<(string Topic, string Payload)> messages, CancellationToken ct = default)
    {
        var sends = messages.Select(m => PublishAsync(m.Topic, m.Payload, ct)).ToList(); // asynclint: silent (ASYNC102) — LINQ-to-objects on an IEnumerable
        return Task.WhenAll(sends); // asynclint: silent (ASYNC203) — the task is returned
    }

    public void Enqueue(string topic, string payload)
    {
        lock (_outbox)
        {
            _outbox.Add((topic, payload));
        }
    }

    public async Task<int> FlushOutboxAsync(CancellationToken ct = default)
    {
        List<(string Topic, string Payload)> batch;
        lock (_outbox)
        {
            batch = _outbox.ToList(); // asynclint: silent (ASYNC102) — ToList on a List<T>
            _outbox.Clear();
        }

        int sent = 0;
        foreach (var (topic, payload) in batch)
        {
            await PublishAsync(topic, payload, ct).ConfigureAwait(false);
            sent++;
            Thread.Sleep(0); // asynclint: silent (ASYNC102) — Sleep(0) gives up the time slice, it does not wait
        }

        return sent;
    }

    public async Task<int> CountPendingAsync() // asynclint: ASYNC205 — no await: runs synchronously
    {
        lock (_outbox)
        {
            return _outbox.Count;
        }
    }

    // asynclint: silent (ASYNC205) — a body that only throws
    public async Task ReplayAsync(DateTimeOffset since, CancellationToken ct = default) =>
        throw new NotSupportedException("The transport keeps no history.");

    // asynclint: silent (ASYNC205) — an async iterator may yield without awaiting
    public async IAsyncEnumerable<string> PendingTopicsAsync() // asynclint: ASYNC404 — an async iterator that takes no CancellationToken
    {
        string[] topics;
        lock (_outbox)
        {
            topics = _outbox.Select(m => m.Topic).Distinct().ToArray();
        }

        foreach (string topic in topics)
        {
            yield return topic;
        }
    }
}
